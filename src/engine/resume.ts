import { endLeftovers } from '../handlers/leftovers.js';
import type { RunCore, StepStarter } from './core.js';

/**
 * Picks a recovered run up where the crash left it: delivers what was journaled and not
 * delivered, re-arms its timers from their absolute deadlines, and re-runs the steps that
 * were in progress (at-least-once; a command step set to `onInterrupt: "surface"` is
 * handed to a person instead). Runs inside the run's queue.
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
    steps.start(runId, id, next);
  }
}
