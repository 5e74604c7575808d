import { endLeftovers } from '../handlers/leftovers.js';
import type { RunCore, StepStarter } from './core.js';
import { isTransient } from './faults.js';

/**
 * Interrupted runs taken up at once at most: 1,000 runs recovered mid-step do not all hold
 * their states, steps and pending writes in memory together (docs/DESIGN.md §4).
 */
export const RESUMING_AT_ONCE = 16;

/**
 * Picks up every run a crash interrupted. Each is queued in its run's queue now, so a
 * message for it waits behind its resume; the resumes themselves go at most
 * RESUMING_AT_ONCE at a time.
 */
export function resumeInterrupted(core: RunCore, steps: StepStarter, runIds: readonly string[]): void {
  let running = 0;
  const waiting: (() => void)[] = [];
  const turn = (): Promise<void> => {
    if (running < RESUMING_AT_ONCE) {
      running++;
      return Promise.resolve();
    }
    return new Promise((r) => waiting.push(r));
  };
  const done = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  for (const runId of runIds) {
    void core.queue
      .run(runId, async () => {
        await turn();
        try {
          await resumeRun(core, steps, runId);
        } finally {
          done();
        }
      })
      .catch((e: unknown) => core.fault(runId, `could not be resumed: ${e instanceof Error ? e.message : String(e)}`));
  }
}

/**
 * Picks a recovered run up where the crash left it: delivers what was journaled and not
 * delivered, re-arms its timers from their absolute deadlines, and re-runs the steps that
 * were in progress (at-least-once; a command step set to `onInterrupt: "surface"` is
 * handed to a person instead). A step that completes at once (instant, built-in) is run
 * and its end journaled here, as a message's would be; others are started. Runs inside
 * the run's queue.
 */
export async function resumeRun(core: RunCore, steps: StepStarter, runId: string): Promise<void> {
  await core.flushOutbox(runId);
  const state = core.get(runId)!;
  core.timers.sync(runId, state.timers);
  for (const [id, step] of Object.entries(state.steps)) {
    // A command the crashed engine started may still be running, detached: end it first.
    const ended = await endLeftovers(core.deps.paths.step(runId, id, step.attempt), 2_000);
    if (ended.length) core.warn(`run ${runId}: ended ${ended.length} process(es) left running by the crashed engine for step ${id}`);
    const handler = core.deps.config.steps[step.src as keyof typeof core.deps.config.steps];
    if (handler?.kind === 'command' && handler.onInterrupt === 'surface') {
      await core.commit(runId, { kind: 'step', id, attempt: step.attempt }, { type: `xstate.error.actor.${id}`, error: 'interrupted by a restart; check its work, then retry or complete it' } as never);
      continue;
    }
    const next = await core.restartStep(runId, id);
    if (steps.inline(runId, id, next)) {
      const attempt = next.steps[id]!.attempt;
      try {
        await core.commit(runId, { kind: 'step', id, attempt }, await steps.runInline(runId, id, next));
        continue;
      } catch (e) {
        // A passing fault: the step runner runs it again and records its end once the fault is over.
        if (!isTransient(e)) throw e;
      }
    }
    steps.start(runId, id, core.get(runId)!);
  }
}
