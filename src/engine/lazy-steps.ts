import { UserError } from '../errors.js';
import type { ManualSteps } from '../handlers/manual.js';
import type { StepHandler } from '../handlers/types.js';
import { builtinProblem } from '../handlers/builtin-names.js';
import type { Config, StepName } from '../workspace/config-schema.js';
import type { WorkspacePaths } from '../workspace/paths.js';
import type { RunCore, StepStarter } from './core.js';
import { completesAtOnce } from './inline-steps.js';
import type { RunState } from './run-state.js';
import type { createHandlers } from '../handlers/index.js';
import { isTransient } from './faults.js';
import type { StepRunner } from './step-runner.js';

export interface LazyStepsDeps {
  core: RunCore;
  paths: WorkspacePaths;
  config: Config;
  projectDir: string;
  manual: ManualSteps;
  now: () => number;
  /** Replace the configured handlers (tests, benchmarks). */
  handlers?: Partial<Record<StepName, StepHandler>>;
  /** Loads the steps' code. @default the dynamic imports of the step runner and the handlers */
  importCode?: () => Promise<StepCode>;
}

/** What the steps' code gives: the runner and the handlers' factory. */
export interface StepCode {
  StepRunner: typeof StepRunner;
  createHandlers: typeof createHandlers;
}

const importCode = async (): Promise<StepCode> => {
  const [{ StepRunner }, { createHandlers }] = await Promise.all([import('./step-runner.js'), import('../handlers/index.js')]);
  return { StepRunner, createHandlers };
};

/**
 * The engine's steps, whose code is loaded on first use: the step runner and the
 * handlers (with the agent log, git worktrees, LLM presets and prompts) are not needed to
 * reach READY, on an empty workspace or with 10,000 runs waiting on people. The config is
 * checked at once (a built-in that does not exist refuses the start); the code is loaded
 * by the first step to start or run inline, or by `load()` (the engine calls it once
 * READY, so the first message does not wait for it). Calls made before it is loaded are
 * carried out in order once it is.
 */
export class LazySteps implements StepStarter {
  private runner?: StepRunner;
  private loading?: Promise<StepRunner>;
  /** Starts and stops asked for while the code loads, in order. */
  private pending: { runId: string; fn: (r: StepRunner) => void }[] = [];
  private closing = false;

  constructor(private readonly deps: LazyStepsDeps) {
    for (const [step, c] of Object.entries(deps.config.steps) as [StepName, Config['steps'][StepName]][]) {
      const problem = c.kind === 'builtin' ? builtinProblem(step, c.name) : undefined;
      if (problem) throw new UserError(problem);
    }
  }

  /** The step runner, loaded once; a load that failed (too many open files, say) is tried again by the next call. */
  load(): Promise<StepRunner> {
    this.loading ??= (async () => {
      const { StepRunner, createHandlers } = await (this.deps.importCode ?? importCode)();
      const { core, paths, config, projectDir, manual, now } = this.deps;
      const handlers = { ...createHandlers(config, { workspaceDir: paths.root, projectDir, manual, now }), ...this.deps.handlers } as Record<StepName, StepHandler>;
      const runner = new StepRunner({ engine: core, paths, config, projectDir, handlers });
      if (this.closing) runner.stopAll();
      else for (const { fn } of this.pending) fn(runner);
      this.pending = [];
      this.runner = runner;
      return runner;
    })().catch((e: unknown) => {
      this.loading = undefined;
      throw e;
    });
    return this.loading;
  }

  inline(_runId: string, id: string, state: RunState): boolean {
    return completesAtOnce(this.deps.core.entry, this.deps.config, state.steps[id]?.src);
  }

  async runInline(runId: string, id: string, state: RunState): Promise<{ type: string; output?: unknown; error?: unknown }> {
    let runner: StepRunner;
    try {
      runner = this.runner ?? (await this.load());
    } catch (e) {
      // A passing fault (too many open files) is waited out: the message stays in the inbox, and the load is tried again.
      if (isTransient(e)) throw e;
      return { type: `xstate.error.actor.${id}`, error: `the steps' code could not be loaded (${e instanceof Error ? e.message : String(e)}); restart the engine` };
    }
    // A passing fault inside the step (too many open files) is thrown by the runner, to be waited out.
    return runner.runInline(runId, id, state);
  }

  start(runId: string, id: string, state: RunState): void {
    this.withRunner(runId, (r) => r.start(runId, id, state));
  }

  stop(runId: string, id: string): void {
    this.withRunner(runId, (r) => r.stop(runId, id));
  }

  /** The run left memory: the runner forgets it (nothing is kept for a run before the code is loaded). */
  forget(runId: string): void {
    this.runner?.forget(runId);
  }

  /** Stops every step (shutdown); one not yet started because its code was loading never starts. */
  stopAll(): void {
    this.closing = true;
    this.runner?.stopAll();
  }

  /** Steps running now. */
  get active(): number {
    return this.runner?.active ?? 0;
  }

  /** Calls `fn` now when the runner is loaded, else once it is (in call order); not after a shutdown. */
  private withRunner(runId: string, fn: (r: StepRunner) => void): void {
    if (this.runner) return fn(this.runner);
    this.pending.push({ runId, fn });
    this.loadPending();
  }

  /** Loads the code for the starts and stops waiting on it; a passing fault is waited out (the fault gate's backoff), anything else faults their runs. */
  private loadPending(): void {
    void this.load().then(
      () => this.deps.core.faults.ok('loading the steps'),
      (e: unknown) => {
        if (isTransient(e) && !this.closing) {
          setTimeout(() => this.loadPending(), this.deps.core.faults.fail('loading the steps', e)).unref();
          return;
        }
        for (const p of this.pending.splice(0)) this.deps.core.fault(p.runId, `its steps could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  }
}
