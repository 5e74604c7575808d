import { repoRoot } from '../handlers/git/git.js';
import { commitWork } from '../handlers/git/commit.js';
import type { GitCommit } from '../handlers/git/commit.js';
import { changedFiles, ensureWorktree } from '../handlers/git/worktree.js';
import { WorktreeError } from '../handlers/git/worktree.js';
import type { Worktree } from '../handlers/git/worktree.js';
import { budgetStop } from '../handlers/llm/tool.js';
import type { StepOutcome, StepRequest, StepSession } from '../handlers/types.js';
import type { Config, StepName } from '../workspace/config-schema.js';
import type { RunMetrics } from '../agentlog/index.js';
import type { Usage } from '../handlers/llm/usage.js';
import type { RunCore } from './core.js';
import { isTransient } from './faults.js';
import { oneLine } from './labels.js';
import type { RunState } from './run-state.js';

/** How long an answer of git about the project's repository is used before git is asked again. */
export const REPO_RECHECK_MS = 5_000;

/** Where a run's steps work: its git worktree, or the project itself. */
export interface WorkDir {
  dir: string;
  worktree?: Worktree;
}

/**
 * A run's worktree could not be made: git's words (a {@link WorktreeError}), or the file
 * system's when the run's record of it could not be written. A passing fault (a full disk)
 * is its cause, so `isTransient` sees it.
 */
export class WorkDirError extends Error {
  constructor(runId: string, cause: unknown) {
    super(
      cause instanceof WorktreeError
        ? cause.message
        : `the worktree of run ${runId} could not be made: ${cause instanceof Error ? cause.message : String(cause)}. Its steps do not run in the project's own checkout instead: fix that, then retry the step (\`teamstate retry RUN STEP\`, or t in the UI)`,
      { cause },
    );
    this.name = 'WorkDirError';
  }
}

/**
 * Each run's working folder, made once per run while it is in memory (parallel sub-agents
 * share the one promise). When git cannot make the worktree the promise rejects with a
 * {@link WorkDirError} and is not kept: the step that asked fails with git's words (or
 * waits, for a passing fault such as a full disk), and the next step or a person's retry
 * asks git again. The steps never work in the project's own checkout instead. A failure
 * is said once per run (again only when git says something else). A run that leaves memory
 * (finished, or left on disk while it waits) is forgotten here ({@link forget}): a
 * long-lived engine keeps nothing of its finished runs, and a run read back asks again
 * (its worktree's record is on disk, so it is the same one).
 */
export class WorkDirs {
  private readonly made = new Map<string, Promise<WorkDir>>();
  /** What was said of each run whose worktree git could not make, so it is said once. */
  private readonly said = new Map<string, string>();
  /** The project's repository as git last said, and when (asking git costs two processes per run). */
  private repo: { at: number; root: Promise<string | undefined> } | undefined;

  constructor(
    private readonly projectDir: string,
    private readonly config: Config,
    private readonly runDir: (runId: string) => string,
    private readonly warn: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Where the project's repository is, asked of git at most once per REPO_RECHECK_MS: runs
   * starting together share one answer, and a project that becomes a repository (or gets
   * its first commit) is seen by the runs that start after that.
   */
  private findRepo = (dir: string): Promise<string | undefined> => {
    const now = this.now();
    if (!this.repo || now - this.repo.at >= REPO_RECHECK_MS) this.repo = { at: now, root: repoRoot(dir) };
    return this.repo.root;
  };

  /** The run's working folder; rejects (each time it is asked, until git can make it) when its worktree cannot be made. */
  of(runId: string): Promise<WorkDir> {
    let p = this.made.get(runId);
    if (!p) {
      const asked = ensureWorktree(this.projectDir, this.runDir(runId), runId, this.config.git, this.findRepo).then(
        (worktree) => {
          this.said.delete(runId);
          return worktree ? { dir: worktree.path, worktree } : { dir: this.projectDir };
        },
        (e: unknown) => {
          // Not kept: the next step, or a person's retry, asks git again.
          if (this.made.get(runId) === asked) this.made.delete(runId);
          const failure = new WorkDirError(runId, e);
          // A passing fault is said by the fault gate the step waits in.
          if (!isTransient(failure) && this.said.get(runId) !== failure.message) {
            this.said.set(runId, failure.message);
            this.warn(`run ${runId}: ${failure.message}`);
          }
          throw failure;
        },
      );
      p = asked;
      this.made.set(runId, p);
    }
    return p;
  }

  /** The run left memory (finished, or left on disk with no step in flight): its entry goes. */
  forget(runId: string): void {
    this.made.delete(runId);
    this.said.delete(runId);
  }

  /** Runs whose working folder is kept now. */
  get size(): number {
    return this.made.size;
  }

  /**
   * When the run is done: commits its work with the task as the message, if configured so,
   * and says what became of it (the write-log step journals that). A commit git refuses is
   * said in the log too; the work stays in the worktree. A passing fault is thrown, for the
   * step to be tried again once it is over.
   */
  async finish(runId: string, task: { id: string; subject: string }): Promise<GitCommit | undefined> {
    if (this.config.git.onDone !== 'commit') return undefined;
    const { worktree } = await this.of(runId);
    if (!worktree) return undefined;
    const done = await commitWork(worktree, `${task.subject}\n\nteamstate run ${runId} (task ${task.id})`);
    if (done.status === 'failed') this.warn(`run ${runId}: its work was not committed on ${done.branch} (git said: ${oneLine(done.said)}); it is kept in ${done.path}: commit it there by hand`);
    return done;
  }
}

/** A done implement or fix lists the files git says the run changed, not the ones its text names. */
export async function withGitFiles(step: StepName, outcome: StepOutcome, work: WorkDir): Promise<StepOutcome> {
  if (!work.worktree || outcome.status !== 'done' || (step !== 'implement' && step !== 'fix')) return outcome;
  return { ...outcome, output: { ...outcome.output, files: await changedFiles(work.worktree) } };
}

/** What a step's actor is given from the run's state when it starts: its session to resume, the run's cost so far. */
export interface LlmInput {
  session?: StepSession;
  spentUsd?: number;
}

export function llmInput(state: RunState, id: string): LlmInput {
  const session = state.sessions?.[id];
  return { ...(session ? { session } : {}), ...(state.usage ? { spentUsd: state.usage.total.costUsd } : {}) };
}

/** What a step is told about its LLM session and the run's budget, and how it journals a session. */
export function sessionAndBudget(engine: RunCore, config: Config, input: LlmInput & { runId: string; id: string; attempt: number }): Pick<StepRequest, 'session' | 'noteSession' | 'budget'> {
  const limit = config.limits.maxCostUsd;
  return {
    ...(input.session ? { session: input.session } : {}),
    noteSession: (s) => engine.queue.run(input.runId, () => engine.noteSession(input.runId, input.id, input.attempt, s)),
    ...(limit !== undefined ? { budget: { limitUsd: limit, spentUsd: input.spentUsd ?? 0 } } : {}),
  };
}

/**
 * Why the run must wait for a person before this step, when its cost has reached
 * limits.maxCostUsd. Steps done at once or by a person cost nothing and go on.
 */
export function overBudget(config: Config, step: StepName, spentUsd: number | undefined): string | undefined {
  const limit = config.limits.maxCostUsd;
  const kind = config.steps[step].kind;
  if (limit === undefined || kind === 'instant' || kind === 'manual') return undefined;
  return budgetStop({ limitUsd: limit, spentUsd: spentUsd ?? 0 }, 0);
}

/** The agent-log figures with the run's cost, when its steps reported usage. */
export function withCost(metrics: RunMetrics, usage: Usage | undefined): RunMetrics {
  if (!usage) return metrics;
  return { ...metrics, cost: { usd: usage.costUsd, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, turns: usage.turns, ...(usage.costFrom === 'unknown' ? { unknown: true } : {}) } };
}
