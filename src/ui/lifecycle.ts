import type { RunContext, SubagentResult } from '../../machines/backend-engineer/context.js';
import type { RunState } from '../engine/run-state.js';
import { contextOf } from '../engine/view.js';
import { SUBAGENTS } from '../workspace/config-schema.js';

/** One step of the lifecycle stepper (DESIGN §1). */
export interface Stage {
  id: string;
  label: string;
  status: 'done' | 'current' | 'todo' | 'blocked' | 'cancelled';
}

/** The lifecycle's stages in order, each with the machine's top-level states it covers. */
const STAGES: { id: string; label: string; states: string[] }[] = [
  { id: 'handoff', label: 'handoff', states: ['idle'] },
  { id: 'log', label: 'read log', states: ['readingLog'] },
  { id: 'plan', label: 'plan', states: ['planning'] },
  { id: 'approval', label: 'approval', states: ['awaitingApproval'] },
  { id: 'implement', label: 'implement', states: ['implementing'] },
  { id: 'subagents', label: 'sub-agents', states: ['subDelegating'] },
  { id: 'handoffs', label: 'hand off', states: ['handingOff'] },
  { id: 'verify', label: 'verify', states: ['verifying', 'fixing', 'resumeFixing'] },
  { id: 'logging', label: 'log entry', states: ['logging'] },
  { id: 'done', label: 'done', states: ['done'] },
];

const ESCALATED_AT: Record<string, string> = { plan: 'approval', fix: 'verify', findings: 'subagents' };

function topState(value: unknown): string {
  return typeof value === 'string' ? value : Object.keys((value ?? {}) as object)[0] ?? '';
}

/** The furthest stage the context shows evidence of: where a cancelled run stopped. */
function reached(c: RunContext): number {
  if (c.sentinelVerdicts?.length) return 7;
  if (Object.keys(c.subagents ?? {}).length) return 5;
  if (c.planApprovedFirstTry !== undefined) return 4;
  if (c.plan) return 3;
  return c.handoff ? 2 : 0;
}

/** The stepper: stages before the current one done, the current one (or where it is blocked), the rest to come. */
export function stagesOf(state: RunState): Stage[] {
  const top = topState(state.snapshot.value);
  const c = contextOf(state);
  let at = STAGES.findIndex((s) => s.states.includes(top));
  let status: Stage['status'] = 'current';
  if (top === 'escalated') {
    at = STAGES.findIndex((s) => s.id === ESCALATED_AT[c.escalation?.kind ?? 'plan']);
    status = 'blocked';
  } else if (top === 'cancelled') {
    at = reached(c);
    status = 'cancelled';
  } else if (top === 'done') {
    return STAGES.map((s) => ({ id: s.id, label: s.label, status: 'done' }));
  } else if (state.snapshot.tags.includes('waiting-on-person')) {
    status = 'blocked';
  }
  return STAGES.map((s, i) => ({
    id: s.id,
    label: s.id === 'verify' && top === 'fixing' ? `fix #${(c.fixCycles ?? 0) + 1}` : s.label,
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

/** The five sub-agents: running ones from the run's active steps, finished ones from their findings. */
export function subagentsOf(state: RunState): SubagentLine[] {
  const c = contextOf(state);
  const stuck = new Set(stuckSteps(state));
  return SUBAGENTS.map((agent) => {
    const r: SubagentResult | undefined = c.subagents?.[agent];
    if (state.steps[agent]) return { agent, status: 'running', summary: '', blocking: 0 };
    if (stuck.has(agent)) return { agent, status: 'stuck', summary: c.blocked ?? '', blocking: 0 };
    if (!r) return { agent, status: 'waiting', summary: '', blocking: 0 };
    if (r.status === 'done') return { agent, status: 'done', summary: r.summary, blocking: r.blocking };
    return { agent, status: r.status, summary: r.summary, blocking: 0 };
  });
}

/** The state names a step runs in, and the step a person completes or retries there. */
const STEP_OF_STATE: Record<string, string> = {
  drafting: 'plan',
  validating: 'architecture-validator',
  prevalidating: 'architecture-validator',
  working: 'implement',
  fixing: 'fix',
};

/** Steps the run is stuck in (a failed step waits for a person to retry or complete it). */
export function stuckSteps(state: RunState): string[] {
  const out: string[] = [];
  const walk = (value: unknown, parent: string) => {
    if (value === 'stuck') out.push(STEP_OF_STATE[parent] ?? parent);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(state.snapshot.value, '');
  return out;
}
