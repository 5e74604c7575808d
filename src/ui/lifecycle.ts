import type { MachineEntry } from '../../machines/entry.js';
import { stageOfValue } from '../engine/machine-meta.js';
import type { RunState } from '../engine/run-state.js';
import { entryOf, stuckSteps, viewOf } from '../engine/view.js';

/** One step of the lifecycle stepper (docs/DESIGN.md §1). */
export interface Stage {
  id: string;
  label: string;
  status: 'done' | 'current' | 'todo' | 'blocked' | 'cancelled';
}

/**
 * The stepper: stages before the current one done, the current one (or where it is
 * blocked), the rest to come. The stages and which state is in which come from the
 * machine (its stage list and its states' `meta.stage`).
 */
export function stagesOf(state: RunState, entry: MachineEntry = entryOf(state)): Stage[] {
  const v = viewOf(state, entry);
  const own = stageOfValue(entry, state.snapshot.value);
  const cancelled = state.snapshot.status === 'done' && own === undefined;
  const finished = state.snapshot.status === 'done' && !cancelled;
  const label = (s: { id: string; label: string }) => v.stageLabels?.[s.id] ?? s.label;
  if (finished) return entry.stages.map((s) => ({ id: s.id, label: label(s), status: 'done' }));
  const at = entry.stages.findIndex((s) => s.id === (v.stage ?? own));
  let status: Stage['status'] = 'current';
  if (cancelled) status = 'cancelled';
  else if (state.snapshot.tags.includes('waiting-on-person')) status = 'blocked';
  return entry.stages.map((s, i) => ({
    id: s.id,
    label: label(s),
    status: i < at ? 'done' : i === at ? status : status === 'cancelled' ? 'cancelled' : 'todo',
  }));
}

/** A sub-agent's line in the run view. */
export interface SubagentLine {
  agent: string;
  status: 'waiting' | 'running' | 'stuck' | 'done' | 'skipped' | 'failed';
  summary: string;
  blocking: number;
}

/** The machine's sub-agents: running ones from the run's active steps, finished ones from their findings. */
export function subagentsOf(state: RunState, entry: MachineEntry = entryOf(state)): SubagentLine[] {
  const v = viewOf(state, entry);
  const stuck = new Set(stuckSteps(state, entry));
  return entry.subagents.map((agent) => {
    const r = v.subagents[agent];
    if (state.steps[agent]) return { agent, status: 'running', summary: '', blocking: 0 };
    if (stuck.has(agent)) return { agent, status: 'stuck', summary: v.blocked ?? '', blocking: 0 };
    if (!r) return { agent, status: 'waiting', summary: '', blocking: 0 };
    if (r.status === 'done') return { agent, status: 'done', summary: r.summary, blocking: r.blocking };
    return { agent, status: r.status, summary: r.summary, blocking: 0 };
  });
}

export { stuckSteps };
