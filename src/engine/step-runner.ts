import { promises as fs } from 'node:fs';
import type { AnyActorRef, AnyActorLogic } from 'xstate';
import { createActor, fromPromise } from 'xstate';
import type { RunContext } from '../../machines/backend-engineer/context.js';
import { adaptationsFor, appendEntry } from '../agentlog/index.js';
import type { StepHandler, StepInput, StepOutcome } from '../handlers/types.js';
import type { Config, StepName } from '../workspace/config-schema.js';
import type { WorkspacePaths } from '../workspace/paths.js';
import type { RunCore, StepStarter } from './core.js';
import { QuarantinedError } from './core.js';
import { isTransient } from './faults.js';
import { completesAtOnce } from './inline-steps.js';
import { readDependencies, recordDependencies } from './dependencies.js';
import { metricsOf } from './metrics.js';
import type { RunState } from './run-state.js';
import { WorkDirError, WorkDirs, llmInput, overBudget, sessionAndBudget, withCost, withGitFiles } from './step-world.js';
import type { LlmInput, WorkDir } from './step-world.js';

/** Resolves after `ms`, or at once when the step is stopped. */
function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}

/** What the engine passes a step actor: the machine's input plus where the step runs. */
interface ActorInput extends LlmInput {
  runId: string;
  id: string;
  attempt: number;
  input: unknown;
  /** Run inside the macro-step that started it: a passing fault is thrown for the commit to be tried again, not waited out here. */
  inline?: boolean;
}

/** The work behind one actor: resolves with the step's output, rejects with its error. */
type Work = (input: ActorInput, signal: AbortSignal) => Promise<unknown>;

export interface StepRunnerDeps {
  engine: RunCore;
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
  private readonly work: Record<string, Work>;
  /** Set on shutdown: results arriving after it are not applied (the step re-runs on restart). */
  closing = false;
  /** Each run's git worktree (or the project itself). */
  readonly workDirs: WorkDirs;

  constructor(private readonly deps: StepRunnerDeps) {
    this.workDirs = new WorkDirs(deps.projectDir, deps.config, (runId) => deps.paths.artifacts(runId), (w) => deps.engine.warn(w), deps.engine.now);
    this.work = this.supply();
    const actors = Object.fromEntries(Object.entries(this.work).map(([src, fn]) => [src, fromPromise<unknown, ActorInput>(({ input, signal }) => fn(input, signal))]));
    const provided = deps.engine.entry.machine.provide({ actors });
    this.actors = provided.implementations.actors as Record<string, AnyActorLogic>;
  }

  /** Instant and built-in handlers, and the agent log's reading and writing, complete at once. */
  inline(_runId: string, id: string, state: RunState): boolean {
    return completesAtOnce(this.deps.engine.entry, this.deps.config, state.steps[id]?.src);
  }

  async runInline(runId: string, id: string, state: RunState): Promise<{ type: string; output?: unknown; error?: unknown }> {
    const step = state.steps[id]!;
    try {
      const output = await this.work[step.src]!({ runId, id, attempt: step.attempt, input: step.input, inline: true, ...llmInput(state, id) }, new AbortController().signal);
      return { type: `xstate.done.actor.${id}`, output };
    } catch (e) {
      // A passing fault (too many open files, a full disk) is no failure of the step: the
      // commit fails with it and is tried again once the fault gate's wait is over.
      if (isTransient(e)) throw e;
      return { type: `xstate.error.actor.${id}`, error: e instanceof Error ? e.message : String(e) };
    }
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
    const actor = createActor(logic, { input: { runId, id, attempt: step.attempt, input: step.input, ...llmInput(state, id) } satisfies ActorInput });
    this.running.set(key, actor);
    const finish = (event: { type: string; output?: unknown; error?: unknown }) => {
      if (this.running.get(key) !== actor) return;
      this.running.delete(key);
      if (this.closing) return;
      const engine = this.deps.engine;
      const record = (): void => {
        void engine.queue.run(runId, () => engine.commit(runId, { kind: 'step', id, attempt: step.attempt }, event)).then(
          () => engine.faults.ok('recording step results'),
          (e: unknown) => {
            if (e instanceof QuarantinedError) return;
            // A full disk must not leave the run in this step for good: the result is kept and recorded once it can be.
            if (isTransient(e) && !this.closing) setTimeout(record, engine.faults.fail('recording step results', e)).unref();
            else engine.fault(runId, `the end of step ${id} could not be journaled: ${e instanceof Error ? e.message : String(e)}`);
          },
        );
      };
      record();
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

  /** The run left memory (finished, or left on disk): what was kept for its steps goes. */
  forget(runId: string): void {
    this.workDirs.forget(runId);
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

  /**
   * The run's working folder for a step. A passing fault of the machine (a full disk) is
   * waited out here, with the fault gate's backoff and its lines in the log, for a step
   * run on its own; one run inline is thrown, for the commit to be tried again. Any other
   * failure to make the worktree is thrown as a WorkDirError: the step fails with it.
   */
  private async workDir(input: ActorInput, signal: AbortSignal): Promise<WorkDir> {
    const faults = this.deps.engine.faults;
    const what = `making the worktree of run ${input.runId}`;
    for (;;) {
      try {
        const work = await this.workDirs.of(input.runId);
        faults.ok(what);
        return work;
      } catch (e) {
        if (!isTransient(e) || input.inline || signal.aborted || this.closing) throw e;
        await waitOrAbort(faults.fail(what, e), signal);
      }
    }
  }

  /** The work of each actor the machine names: the configured handler of each step, and the agent log. */
  private supply(): Record<string, Work> {
    const { config, projectDir, paths, handlers } = this.deps;
    const work: Record<string, Work> = {};
    // The machine's steps; config and handlers are keyed by the same names.
    for (const step of this.deps.engine.entry.steps as readonly StepName[]) {
      work[step] = async (input, signal) => {
        if (!handlers[step] || !config.steps[step]) return { status: 'failed', reason: `no handler is configured for the "${step}" step; add it under "steps" in teamstate.json` };
        const dir = paths.step(input.runId, input.id, input.attempt);
        // An instant step leaves no files; every other handler keeps its inputs and outputs here.
        if (config.steps[step].kind !== 'instant') await fs.mkdir(dir, { recursive: true });
        try {
          const stop = overBudget(config, step, input.spentUsd);
          if (stop) return { status: 'needs-person', reason: stop } satisfies StepOutcome;
          // Only the built-in checks read the dependency baseline; other handlers are not given it.
          const dependencies = config.steps[step].kind === 'builtin' ? await readDependencies(paths.artifacts(input.runId), input.input as StepInput) : undefined;
          // An instant step touches no files: it needs no working folder, and asks git for none.
          const work = config.steps[step].kind === 'instant' ? { dir: projectDir } : await this.workDir(input, signal);
          const llm = sessionAndBudget(this.deps.engine, config, input);
          const outcome = await handlers[step]({ runId: input.runId, step, attempt: input.attempt, input: input.input as StepInput, dir, projectDir: work.dir, signal, ...(dependencies ? { dependencies } : {}), ...llm });
          return await withGitFiles(step, outcome, work);
        } catch (e) {
          if (e instanceof WorkDirError) {
            // Done inline, a passing fault fails the commit, which is tried again once the fault gate's wait is over.
            if (isTransient(e)) throw e;
            return { status: 'failed', reason: e.message } satisfies StepOutcome;
          }
          // A handler must not throw; one that does is reported as a failed step, not a crash.
          return { status: 'failed', reason: `the ${step} handler failed: ${(e as Error).message}` } satisfies StepOutcome;
        }
      };
    }
    work.readLog = async (input) => {
      // Only the built-in checks read the baseline: without one configured, none is taken.
      if (Object.values(config.steps).some((s) => s?.kind === 'builtin')) await recordDependencies(projectDir, paths.artifacts(input.runId));
      // The run's worktree branches from the commit the project is at now. One git cannot
      // make is said, and the first step that works in it fails with why; a passing fault waits.
      await this.workDirs.of(input.runId).catch((e: unknown) => {
        if (isTransient(e)) throw e;
      });
      const found = await adaptationsFor(projectDir, config.agentLog);
      for (const p of found.problems) this.deps.engine.warn(`agent log ${found.file}: ${p}`);
      return { adaptations: found.adaptations };
    };
    work.writeLog = async (input) => {
      const metrics = withCost(metricsOf(input.input as RunContext, this.deps.engine.now()), this.deps.engine.get(input.runId)?.usage?.total);
      // The entry's fsync runs beside the staging of the replies; the record saying it was written waits for both.
      const durable: Promise<void>[] = [];
      await appendEntry(projectDir, config.agentLog, metrics, { fsync: config.fsync, durable });
      for (const p of durable) this.deps.engine.beforeRecord(input.runId, p);
      // What became of the run's work (git.onDone: "commit") is journaled with this step's result.
      const gitCommit = await this.workDirs.finish(input.runId, (input.input as RunContext).task);
      return { entry: metrics.task, ...(gitCommit ? { gitCommit } : {}) };
    };
    return work;
  }
}
