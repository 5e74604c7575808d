import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { withFileLock } from '../../teams/file-lock.js';
import { writeFileAtomic } from '../../workspace/atomic.js';
import type { GitConfig } from '../../workspace/config-schema.js';
import { faultIn, git, lines, repoRoot } from './git.js';

/** A run's own checkout: `teamstate/<run>` from the commit the project was at when the run began. */
export const worktreeSchema = z.object({
  path: z.string(),
  branch: z.string(),
  base: z.string(),
  /** The repository the worktree belongs to. */
  repo: z.string(),
});
export type Worktree = z.infer<typeof worktreeSchema>;

const RECORD = 'worktree.json';
/** Where worktrees go by default, inside the project. */
export const DEFAULT_WORKTREES_DIR = '.teamstate/worktrees';

export const branchOf = (runId: string) => `teamstate/${runId}`;

/**
 * The worktree a run recorded, if it has one. Asked at each run's first step: a run
 * without one (most, where the project is no repository) costs a stat, not a failed read
 * and the error made for it.
 */
export async function readWorktree(runDir: string): Promise<Worktree | undefined> {
  const file = path.join(runDir, RECORD);
  if (!existsSync(file)) return undefined;
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const parsed = worktreeSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

/** Keeps `dir` out of the main checkout's `git status` when it is inside the repository. */
async function exclude(repo: string, dir: string): Promise<void> {
  const rel = path.relative(repo, dir);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return;
  const common = await git(repo, ['rev-parse', '--git-common-dir']);
  if (!common.ok) return;
  const file = path.join(path.resolve(repo, common.stdout.trim()), 'info', 'exclude');
  const top = `/${rel.split(path.sep)[0]}/`;
  const now = await readFile(file, 'utf8').catch(() => '');
  if (now.split('\n').includes(top)) return;
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, `${now && !now.endsWith('\n') ? '\n' : ''}${top}\n`);
}

/**
 * The run's worktree, made on first use: the base commit is recorded in the run's folder
 * before git is asked for anything, so a crash part-way makes the same worktree again from
 * the same base. Undefined when worktrees are off or the project is not a git repository
 * with a commit (steps then work in the project itself, as without git). Throws a
 * {@link WorktreeError} with git's own words when git refuses, or when a branch of the
 * run's name is there that does not come from the run's base. `findRepo` answers where the
 * project's repository is.
 */
export async function ensureWorktree(projectDir: string, runDir: string, runId: string, config: GitConfig, findRepo: (dir: string) => Promise<string | undefined> = repoRoot): Promise<Worktree | undefined> {
  if (!config.worktrees) return undefined;
  let record = await readWorktree(runDir);
  if (!record) {
    const repo = await findRepo(projectDir);
    if (!repo) return undefined;
    const base = (await git(repo, ['rev-parse', 'HEAD'])).stdout.trim();
    const dir = path.resolve(projectDir, config.dir ?? DEFAULT_WORKTREES_DIR, runId);
    record = { path: dir, branch: branchOf(runId), base, repo };
    await mkdir(runDir, { recursive: true });
    await writeFileAtomic(path.join(runDir, RECORD), `${JSON.stringify(record)}\n`);
  }
  if (existsSync(path.join(record.path, '.git'))) return record;
  const w = record;
  await changingWorktrees(w.repo, async () => {
    await exclude(w.repo, w.path);
    await git(w.repo, ['worktree', 'prune']);
    const hasBranch = (await git(w.repo, ['rev-parse', '--verify', '-q', `refs/heads/${w.branch}`])).ok;
    // A branch of that name not grown from the run's base is not the run's (a run of the same id long gone, someone's own).
    if (hasBranch && !(await git(w.repo, ['merge-base', '--is-ancestor', w.base, w.branch])).ok) {
      const at = (await git(w.repo, ['rev-parse', '--short', w.branch])).stdout.trim();
      throw new WorktreeError(w, `the branch ${w.branch} exists already at ${at}, which does not come from the run's base commit ${w.base.slice(0, 12)}`, `delete or rename that branch (git branch -m ${w.branch} <other name>)`);
    }
    const made = hasBranch ? await git(w.repo, ['worktree', 'add', w.path, w.branch]) : await git(w.repo, ['worktree', 'add', '-b', w.branch, w.path, w.base]);
    if (!made.ok) {
      const said = made.stderr.trim().split('\n').filter((l) => !l.startsWith('Preparing worktree')).join('; ');
      const inTheWay = existsSync(w.path) ? `remove or move what is at ${w.path}` : 'fix what git names';
      throw new WorktreeError(w, `git said: ${said}`, inTheWay, faultIn(made.stderr));
    }
  }).catch((e: unknown) => {
    // Another process's turn that lasts: waited out as a passing fault, like a full disk.
    if (e instanceof WorktreesBusyError) throw new WorktreeError(w, e.message, 'wait for it', 'EBUSY');
    throw e;
  });
  return record;
}

/**
 * git could not make a run's worktree: says what git said and what to do. `code` is set
 * when the cause is a passing fault of the machine (a full disk): the work waits it out.
 */
export class WorktreeError extends Error {
  readonly code: string | undefined;
  constructor(w: Worktree, why: string, todo: string, code?: string) {
    super(
      code
        ? `git could not make the run's worktree at ${w.path}: ${why}`
        : `git could not make the run's worktree at ${w.path} (branch ${w.branch}): ${why}. Its steps do not run in the project's own checkout instead: ${todo}, then retry the step (\`teamstate retry RUN STEP\`, or t in the UI); or set "git": {"worktrees": false} in teamstate.json to work in the project folder itself`,
    );
    this.name = 'WorktreeError';
    this.code = code;
  }
}

/** Per repository, the end of the last worktree change queued in this process. */
const changing = new Map<string, Promise<void>>();

/**
 * Runs `work` once the repository's worktree changes queued before it in this process are
 * done. git's `worktree add` and `worktree prune` read the files of every worktree of the
 * repository and take none of its locks for it: one that meets another's worktree half
 * made fails ("failed to read .git/worktrees/<id>/commondir"), and a prune can delete it
 * (its `gitdir` not written yet). Runs that start together make theirs one at a time; the
 * exclude line is read and appended inside the same turn, so it is written once.
 */
function oneAtATime<T>(repo: string, work: () => Promise<T>): Promise<T> {
  const done = (changing.get(repo) ?? Promise.resolve()).then(work);
  const end = done.then(
    () => undefined,
    () => undefined,
  );
  changing.set(repo, end);
  void end.then(() => {
    if (changing.get(repo) === end) changing.delete(repo);
  });
  return done;
}

/** The lock of a repository's worktree changes, in its git folder: never in the person's checkout. */
export const WORKTREES_LOCK = 'teamstate-worktrees.lock';

/** Another process kept the repository's worktree lock for longer than we wait. */
export class WorktreesBusyError extends Error {
  constructor(lock: string) {
    super(`another teamstate process (an engine, or \`teamstate worktrees --prune\`) is changing this repository's worktrees and has held ${lock} for over 30 s; try again once it is done (a lock left by a killed process counts as stale after 10 s)`);
    this.name = 'WorktreesBusyError';
  }
}

/**
 * Runs `work` as the only change to the repository's worktrees: one at a time in this
 * process ({@link oneAtATime}), and across processes under a lock in the repository's git
 * folder (proper-lockfile's, stale after 10 s), so an engine and `teamstate worktrees
 * --prune` beside it, or two engines on one repository, never meet each other's half-made
 * worktree. Held only around the git calls. Throws {@link WorktreesBusyError} when another
 * process holds it for longer than 30 s.
 */
export function changingWorktrees<T>(repo: string, work: () => Promise<T>): Promise<T> {
  return oneAtATime(repo, async () => {
    const common = await git(repo, ['rev-parse', '--git-common-dir']);
    const gitDir = common.ok ? path.resolve(repo, common.stdout.trim()) : path.join(repo, '.git');
    const lock = path.join(gitDir, WORKTREES_LOCK);
    try {
      return await withFileLock({ file: gitDir, lockfilePath: lock, retries: { retries: 20, minTimeout: 10, maxTimeout: 200 } }, work);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ELOCKED') throw new WorktreesBusyError(lock);
      throw e;
    }
  });
}

/** The files the run changed, as git sees them: a diff against the base, plus new files not ignored. */
export async function changedFiles(w: Worktree): Promise<string[]> {
  const diff = await git(w.path, ['diff', '--name-only', w.base]);
  const added = await git(w.path, ['ls-files', '--others', '--exclude-standard']);
  return [...new Set([...lines(diff.stdout), ...lines(added.stdout)])].sort();
}

/** A worktree git knows of on a `teamstate/` branch. */
export interface ListedWorktree {
  path: string;
  branch: string;
  runId: string;
  head: string;
}

/** The repository's worktrees on `teamstate/<run>` branches. */
export async function listWorktrees(projectDir: string): Promise<ListedWorktree[]> {
  const repo = await repoRoot(projectDir);
  if (!repo) return [];
  const out = await git(repo, ['worktree', 'list', '--porcelain']);
  const found: ListedWorktree[] = [];
  for (const block of out.stdout.split('\n\n')) {
    const field = (k: string) => block.split('\n').find((l) => l.startsWith(`${k} `))?.slice(k.length + 1);
    const ref = field('branch');
    if (!ref?.startsWith('refs/heads/teamstate/')) continue;
    const branch = ref.slice('refs/heads/'.length);
    found.push({ path: field('worktree')!, branch, runId: branch.slice('teamstate/'.length), head: field('HEAD') ?? '' });
  }
  return found;
}

/** Removes a worktree (its branch stays). A worktree with uncommitted changes is kept unless `force`. */
export async function removeWorktree(projectDir: string, dir: string, force: boolean): Promise<{ ok: boolean; why?: string; busy?: boolean }> {
  const repo = (await repoRoot(projectDir)) ?? projectDir;
  try {
    const r = await changingWorktrees(repo, () => git(repo, ['worktree', 'remove', ...(force ? ['--force'] : []), dir]));
    return r.ok ? { ok: true } : { ok: false, why: r.stderr.trim() };
  } catch (e) {
    if (e instanceof WorktreesBusyError) return { ok: false, why: e.message, busy: true };
    throw e;
  }
}
