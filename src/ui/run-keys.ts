import type { RunState } from '../engine/run-state.js';
import type { PendingStep } from '../handlers/manual.js';
import { REPORT_FORMATS } from '../handlers/reports.js';
import type { UiActions } from './actions.js';
import { stuckSteps } from './lifecycle.js';
import type { NavAction } from './nav.js';

/** The step a person's done/failed/retry acts on: the waiting manual step, else a stuck one. */
export function stepToAct(state: RunState | undefined, pending: PendingStep[]): string | undefined {
  if (!state) return undefined;
  return pending.find((p) => p.runId === state.runId)?.step ?? stuckSteps(state)[0];
}

/** The `d` prompt: what to give, in which format for a sub-agent's report. */
export function doneLabel(step: string, runId: string): string {
  const format = (REPORT_FORMATS as Record<string, string>)[step];
  return `Mark ${step} of ${runId} done: ${format ? `its report, ${format}` : 'its output'} — text (\\n for a new line) or @path of a file`;
}

/**
 * The run keys shared by the runs view and the run view. Returns false for a key that is
 * not a run key. Actions that need words (reject, cancel, done, failed) open a prompt.
 */
export function runKey(input: string, runId: string | undefined, ctx: { state?: RunState; pending: PendingStep[]; actions: UiActions; dispatch: (a: NavAction) => void; note: (text: string) => void }): boolean {
  if (!'ardftx'.includes(input) || input === '') return false;
  if (!runId) {
    ctx.note('no run selected');
    return true;
  }
  // A finished run takes no action: say so now, not after a prompt, and never report a success.
  if (ctx.state && ctx.state.snapshot.status !== 'active') {
    ctx.note(`run ${runId} has finished; there is nothing to approve, reject, complete, retry or cancel`);
    return true;
  }
  const step = stepToAct(ctx.state, ctx.pending);
  const needStep = () => ctx.note(`run ${runId} has no manual step waiting and no stuck step`);
  switch (input) {
    case 'a':
      void ctx.actions.decide(runId, true, '');
      break;
    case 'r':
      ctx.dispatch({ type: 'open', overlay: { kind: 'prompt', purpose: { action: 'reject', runId }, label: `Reject the plan of ${runId}: feedback for the next revision` } });
      break;
    case 'x':
      ctx.dispatch({ type: 'open', overlay: { kind: 'prompt', purpose: { action: 'cancel', runId }, label: `Cancel run ${runId}? Give a reason and press Enter (Esc keeps it running)` } });
      break;
    case 'd':
      if (!step) needStep();
      else ctx.dispatch({ type: 'open', overlay: { kind: 'prompt', purpose: { action: 'complete', runId, step }, label: doneLabel(step, runId) } });
      break;
    case 'f':
      if (!step) needStep();
      else ctx.dispatch({ type: 'open', overlay: { kind: 'prompt', purpose: { action: 'fail', runId, step }, label: `Mark ${step} of ${runId} failed: why` } });
      break;
    case 't':
      if (!step) needStep();
      else void ctx.actions.retry(runId, step);
      break;
  }
  return true;
}
