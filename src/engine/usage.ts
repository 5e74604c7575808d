import { addUsage, ZERO_USAGE } from '../handlers/llm/usage.js';
import type { StepOutcome, StepSession, Usage } from '../handlers/types.js';
import type { EventSource, RunRecord, RunState } from './run-state.js';
import { appliedOf } from './run-state.js';

/** What a run has used: in all, and by step (every attempt of a step summed). */
export interface RunUsage {
  total: Usage;
  steps: Record<string, Usage>;
}

/** The outcome a step's result event carries (the done event of its actor). */
function outcomeIn(event: { type: string; [k: string]: unknown }): StepOutcome | undefined {
  const o = (event.output ?? event.outcome) as StepOutcome | undefined;
  return o && typeof o === 'object' && 'status' in o ? o : undefined;
}

/**
 * The part of a run's state a step's result changes beside the machine: its usage added
 * to the run's, and its session forgotten once the step is done (a failed or interrupted
 * step keeps it, so the next attempt resumes it). Pure: the fold of every step result record.
 */
export function afterStepResult(state: RunState, source: EventSource, event: { type: string; [k: string]: unknown }): Pick<RunState, 'usage' | 'sessions'> {
  if (source.kind !== 'step') return pick(state);
  const outcome = outcomeIn(event);
  let usage = state.usage;
  if (outcome?.usage) {
    const before = usage ?? { total: ZERO_USAGE, steps: {} };
    usage = { total: addUsage(before.total, outcome.usage), steps: { ...before.steps, [source.id]: addUsage(before.steps[source.id] ?? ZERO_USAGE, outcome.usage) } };
  }
  let sessions = state.sessions;
  if (outcome?.status === 'done' && sessions?.[source.id]) {
    const { [source.id]: _done, ...rest } = sessions;
    sessions = rest;
  }
  return { ...(usage ? { usage } : {}), ...(sessions ? { sessions } : {}) };
}

/** The state after a `step-session` record: the session the step works in, for the next attempt to resume. */
export function withSession(state: RunState, id: string, session: StepSession): RunState {
  return { ...state, sessions: { ...state.sessions, [id]: session } };
}

function pick(state: RunState): Pick<RunState, 'usage' | 'sessions'> {
  return { ...(state.usage ? { usage: state.usage } : {}), ...(state.sessions ? { sessions: state.sessions } : {}) };
}

/** Usage as `show --json` gives it: the same figures a step attempt reports. */
export type UsageView = Usage;

/** One attempt of one step, with what it used, read from the journal's step result records. */
export interface StepAttemptUsage {
  step: string;
  attempt: number;
  status: string;
  at: number;
  usage: UsageView;
}

/** Every step attempt that reported usage, in journal order. */
export function stepAttempts(records: RunRecord[]): StepAttemptUsage[] {
  const out: StepAttemptUsage[] = [];
  for (const r of records) {
    if (r.kind !== 'event') continue;
    for (const a of appliedOf(r)) {
      if (a.source.kind !== 'step') continue;
      const o = outcomeIn(a.event);
      if (o?.usage) out.push({ step: a.source.id, attempt: a.source.attempt, status: o.status, at: r.at, usage: o.usage });
    }
  }
  return out;
}
