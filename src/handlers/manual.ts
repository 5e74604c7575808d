import type { StepName } from '../workspace/config-schema.js';
import { outputFromText } from './output.js';
import { renderPrompt } from './prompts.js';
import type { PromptSources } from './prompts.js';
import { writeStepInputs } from './step-files.js';
import type { StepHandler, StepOutcome } from './types.js';

/** A step waiting for a person. */
export interface PendingStep {
  runId: string;
  step: StepName;
  /** When it started waiting (ISO). */
  since: string;
  /** The step's folder: `prompt.md` says what to do, `context.json` holds the run's context. */
  dir: string;
  /** Set when the plan step asks again: the sections the last plan lacked. */
  missingSections?: string[];
}

export interface ManualSteps {
  handler: StepHandler;
  /** Steps waiting for a person, oldest first. */
  pending(): PendingStep[];
  /**
   * Ends a waiting step with the person's outcome. A done outcome's text is read like a
   * command's (plan files, sub-agent findings). False when that step is not waiting.
   */
  complete(runId: string, step: StepName, outcome: StepOutcome): boolean;
  /** Called whenever the pending list changes (for the UI); returns an unsubscribe. */
  subscribe(listener: () => void): () => void;
}

export interface ManualDeps {
  /** @default Date.now */
  now?: () => number;
  prompts?: PromptSources;
}

/**
 * Steps done by a person, who marks them done from the CLI (`teamstate complete`) or the
 * UI. The step's prompt and context are written to its folder first, so the person sees
 * what a command would. An abort (cancel, shutdown) ends the wait as failed.
 */
export function createManualHandler(deps: ManualDeps = {}): ManualSteps {
  const now = deps.now ?? Date.now;
  const waiting = new Map<string, { entry: PendingStep; resolve: (o: StepOutcome) => void }>();
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((l) => l());
  const key = (runId: string, step: string) => `${runId}\u0000${step}`;

  const handler: StepHandler = async (request) => {
    if (request.signal.aborted) return { status: 'failed', reason: 'cancelled: the run left the step' };
    try {
      await writeStepInputs(request, await renderPrompt(request, deps.prompts));
    } catch (e) {
      // The person can still do the step from context.json; the prompt is a convenience.
      await writeStepInputs(request, `(the prompt could not be rendered: ${(e as Error).message})\n`);
    }
    const k = key(request.runId, request.step);
    waiting.get(k)?.resolve({ status: 'failed', reason: 'superseded by a newer request for the same step' });
    return new Promise<StepOutcome>((resolve) => {
      const onAbort = () => finish({ status: 'failed', reason: 'cancelled: the run left the step' });
      const finish = (outcome: StepOutcome) => {
        if (waiting.get(k)?.resolve !== finish) return;
        waiting.delete(k);
        request.signal.removeEventListener('abort', onAbort);
        resolve(outcome);
        changed();
      };
      const entry: PendingStep = {
        runId: request.runId,
        step: request.step,
        since: new Date(now()).toISOString(),
        dir: request.dir,
        ...(request.missingSections ? { missingSections: request.missingSections } : {}),
      };
      waiting.set(k, { entry, resolve: finish });
      request.signal.addEventListener('abort', onAbort, { once: true });
      changed();
    });
  };

  return {
    handler,
    pending: () => [...waiting.values()].map((w) => w.entry).sort((a, b) => a.since.localeCompare(b.since)),
    complete(runId, step, outcome) {
      const w = waiting.get(key(runId, step));
      if (!w) return false;
      w.resolve(outcome.status === 'done' ? { status: 'done', output: outputFromText(step, outcome.output.text, outcome.output) } : outcome);
      return true;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
