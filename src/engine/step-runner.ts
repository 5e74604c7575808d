import { promises as fs } from 'node:fs';
import type { AnyActorRef, AnyActorLogic } from 'xstate';
import { createActor, fromPromise } from 'xstate';
import type { RunContext } from '../../machines/backend-engineer/context.js';
import { adaptationsFor, appendEntry } from '../agentlog/index.js';
import type { StepHandler, StepInput, StepOutcome } from '../handlers/types.js';
import type { Config, StepName } from '../workspace/config-schema.js';
import { STEPS } from '../workspace/config-schema.js';
import type { WorkspacePaths } from '../workspace/paths.js';
import type { RunEngine, StepStarter } from './engine.js';
import { readDependencies, recordDependencies } from './dependencies.js';
import { metricsOf } from './metrics.js';
import type { RunState } from './run-state.js';

/** What the engine passes a step actor: the machine's input plus where the step runs. */
interface ActorInput {
  runId: string;
  id: string;
  attempt: number;
  input: unknown;
}

export interface StepRunnerDeps {
  engine: RunEngine;
  paths: WorkspacePaths;
  config: Config;
  projectDir: string;
  handlers: Record<StepName, StepHandler>;
}

/**
 * Runs the work of steps. The machine names its actors (`setup({ actors })`); this
 * supplies them with `machine.provide()` — the configured handler of each step, and the
 * agent-log reading and writing — and runs each spawned one to its end, feeding the
 * outcome back through the run's queue as the actor's done or error event.
 */
export class StepRunner implements StepStarter {
  private readonly running = new Map<string, AnyActorRef>();
  private readonly actors: Record<string, AnyActorLogic>;
  /** Set on shutdown: results arriving after it are not applied (the step re-runs on restart). */
  closing = false;

  constructor(private readonly deps: StepRunnerDeps) {
    const provided = deps.engine.entry.machine.provide({ actors: this.supply() });
    this.actors = provided.implementations.actors as Record<string, AnyActorLogic>;
  }

  start(runId: string, id: string, state: RunState): void {
    const step = state.steps[id];
    const logic = step && this.actors[step.src];
    if (!step || !logic) {
      this.deps.engine.warn(`run ${runId}: no actor for step ${id} (${step?.src ?? 'unknown'})`);
      return;
    }
    const key = `${runId}\0${id}`;
    this.running.get(key)?.stop();
    const actor = createActor(logic, { input: { runId, id, attempt: step.attempt, input: step.input } satisfies ActorInput });
    this.running.set(key, actor);
    const finish = (event: { type: string; output?: unknown; error?: unknown }) => {
      if (this.running.get(key) !== actor) return;
      this.running.delete(key);
      if (this.closing) return;
      const engine = this.deps.engine;
      void engine.queue
        .run(runId, () => engine.commit(runId, { kind: 'step', id, attempt: step.attempt }, event))
        .catch((e) => engine.warn(`run ${runId}: could not record the end of step ${id}: ${String(e)}`));
    };
    actor.subscribe({
      complete: () => finish({ type: `xstate.done.actor.${id}`, output: actor.getSnapshot().output }),
      error: (error) => finish({ type: `xstate.error.actor.${id}`, error: error instanceof Error ? error.message : String(error) }),
    });
    actor.start();
  }

  stop(runId: string, id: string): void {
    const key = `${runId}\0${id}`;
    const actor = this.running.get(key);
    this.running.delete(key);
    actor?.stop();
  }

  /** Stops every step (shutdown); their results are dropped and they re-run on restart. */
  stopAll(): void {
    this.closing = true;
    for (const actor of this.running.values()) actor.stop();
    this.running.clear();
  }

  get active(): number {
    return this.running.size;
  }

  private supply(): Record<string, AnyActorLogic> {
    const { config, projectDir, paths, handlers } = this.deps;
    const actors: Record<string, AnyActorLogic> = {};
    for (const step of STEPS) {
      actors[step] = fromPromise<StepOutcome, ActorInput>(async ({ input, signal }) => {
        const dir = paths.step(input.runId, input.id, input.attempt);
        // An instant step leaves no files; every other handler keeps its inputs and outputs here.
        if (config.steps[step].kind !== 'instant') await fs.mkdir(dir, { recursive: true });
        try {
          const dependencies = await readDependencies(paths.run(input.runId).dir, input.input as StepInput);
          return await handlers[step]({ runId: input.runId, step, attempt: input.attempt, input: input.input as StepInput, dir, projectDir, signal, ...(dependencies ? { dependencies } : {}) });
        } catch (e) {
          // A handler must not throw; one that does is reported as a failed step, not a crash.
          return { status: 'failed', reason: `the ${step} handler failed: ${(e as Error).message}` };
        }
      });
    }
    actors.readLog = fromPromise<{ adaptations: unknown[] }, ActorInput>(async ({ input }) => {
      await recordDependencies(projectDir, paths.run(input.runId).dir);
      const found = await adaptationsFor(projectDir, config.agentLog);
      for (const p of found.problems) this.deps.engine.warn(`agent log ${found.file}: ${p}`);
      return { adaptations: found.adaptations };
    });
    actors.writeLog = fromPromise<{ entry: string }, ActorInput>(async ({ input }) => {
      const metrics = metricsOf(input.input as RunContext, this.deps.engine.now());
      await appendEntry(projectDir, config.agentLog, metrics, { fsync: config.fsync });
      return { entry: metrics.task };
    });
    return actors;
  }
}
