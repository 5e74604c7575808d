import type { MachineEntry } from '../../machines/index.js';
import type { Result } from '../errors.js';
import { err, ok } from '../errors.js';
import { outputFromText, outputProblem } from '../handlers/output.js';
import type { StepOutcome } from '../handlers/types.js';
import type { Config, StepName } from '../workspace/config-schema.js';
import { resolve, stateLabel } from './apply.js';
import type { Control } from './control.js';
import { invocationsOf } from './machine-meta.js';
import type { RunState } from './run-state.js';
import { personMayDecide } from './view.js';

/** A machine event as the engine commits it. */
export type ControlEvent = { type: string; from?: string; [k: string]: unknown };

/**
 * What a person's action means for a run, decided from the run's state alone (pure): the
 * event to commit, `manual` when it ends a manual step waiting for its person, or why it
 * has no place now. The engine applies it with this, and the CLI checks with it before
 * queuing, so both refuse the same things with the same words.
 */
export function controlEvent(entry: MachineEntry, config: Pick<Config, 'conductor' | 'steps'>, state: RunState, control: Control, key: string): Result<ControlEvent | 'manual'> {
  const run = control.run;
  const finished = state.snapshot.status !== 'active';
  if (finished) return err(`run ${run} has finished (${stateLabel(state.snapshot.value)}); ${control.action} changes nothing`);
  if (control.action === 'complete' || control.action === 'retry') {
    if (!entry.steps.includes(control.step)) return err(`"${control.step}" is not a step; the steps are ${entry.steps.join(', ')}`);
    const step = control.step as StepName;
    const outcome: StepOutcome | undefined =
      control.action === 'complete' ? (control.fail !== undefined ? { status: 'failed', reason: control.fail } : { status: 'done', output: outputFromText(step, control.text) }) : undefined;
    const event = (id: string): ControlEvent => (outcome ? { type: 'STEP_COMPLETED', from: 'person', step: id, outcome } : { type: 'RETRY', from: 'person', step: id });
    const manual = control.action === 'complete' && config.steps[step].kind === 'manual' && Object.values(state.steps).some((s) => s.src === step);
    const snapshot = resolve(entry, state.snapshot);
    // A step may run under other invocation ids (the machine's meta: architecture-validator as plan-check).
    const candidates = [step, ...(invocationsOf(entry).get(step) ?? [])];
    const id = manual ? undefined : candidates.find((c) => snapshot.can(event(c) as never));
    if (!manual && !id) {
      const running = Object.values(state.steps).some((s) => s.src === step);
      const why = running ? `step "${step}" is running, not stuck` : `run ${run} is not waiting on step "${step}" (it is ${stateLabel(state.snapshot.value)})`;
      return err(`${why}; \`teamstate show ${run}\` says what it waits on`);
    }
    // A report that cannot be read is refused now, saying what is expected, rather than counted as a pass.
    const problem = outcome?.status === 'done' ? outputProblem(step, outcome.output) : undefined;
    if (problem) return err(problem);
    return ok(manual ? 'manual' : event(id!));
  }
  const base = { from: 'conductor', messageId: key, priority: 'HIGH' as const };
  if (control.action === 'decide') {
    if (!personMayDecide(state, config.conductor, entry)) {
      if (config.conductor !== 'person' && !state.snapshot.tags.includes('waiting-on-person')) {
        return err('the conductor member decides on plans in this workspace; set "conductor": "person" in teamstate.json to decide here');
      }
      return err(`run ${run} is not waiting on a plan decision (it is ${stateLabel(state.snapshot.value)}); \`teamstate show ${run}\` says what it waits on`);
    }
    const event: ControlEvent = { type: 'PLAN_DECISION', approved: control.approved, feedback: control.feedback, body: `${control.approved ? 'APPROVED' : 'REJECTED'} ${control.feedback}`.trim(), ...base };
    if (!resolve(entry, state.snapshot).can(event as never)) return err(`run ${run} is not waiting on a plan decision (it is ${stateLabel(state.snapshot.value)})`);
    return ok(event);
  }
  return ok({ type: 'CANCEL', body: control.reason, ...base });
}
