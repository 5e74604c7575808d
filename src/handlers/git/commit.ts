import { setTimeout as sleep } from 'node:timers/promises';
import { faultIn, git } from './git.js';
import type { GitResult } from './git.js';
import type { Worktree } from './worktree.js';

/**
 * What became of a run's work when the run was done, with `git.onDone: "commit"`: the
 * write-log step's result carries it into the journal (`output.gitCommit`), the fold keeps
 * it as the run's `gitCommit`. `said` is git's own words (stderr, trimmed), a hook's too.
 */
export type GitCommit =
  | { status: 'committed'; commit: string; branch: string; path: string }
  | { status: 'nothing'; branch: string; path: string }
  | { status: 'failed'; said: string; branch: string; path: string };

/** The most of git's words a record keeps: a hook may print a linter's whole report. */
const SAID_MAX = 2_000;

/** git met a lock file another git process holds (`index.lock` while an editor refreshes the index). */
const LOCKED = /Unable to create '[^']*\.lock': File exists/;

/** The waits between tries while a lock is held: a passing one is let go within a few seconds; one left by a crashed git never is. */
const LOCK_WAITS = [250, 500, 1_000];

/** A commit stopped by a passing fault of the machine (a full disk): waited out like the others (`code` is the errno's). */
export class CommitFaultError extends Error {
  constructor(
    w: Worktree,
    said: string,
    readonly code: string,
  ) {
    super(`git could not commit the run's work in ${w.path}: ${said}`);
    this.name = 'CommitFaultError';
  }
}

export interface CommitOptions {
  /** How a wait between tries is waited (tests pass their own). */
  wait?: (ms: number) => Promise<void>;
}

/**
 * Commits everything in the worktree with `message`. Nothing to commit is no failure
 * (`nothing`), and a commit an earlier try made (the engine stopped before it journaled
 * it) is given again. A lock another git process holds is waited for a little, then is a
 * failure like any other refusal (a hook, an identity git will not guess): `failed`, with
 * git's words, the work left in the worktree. A passing fault of the machine is thrown
 * ({@link CommitFaultError}), for the step to be tried again once it is over.
 */
export async function commitWork(w: Worktree, message: string, opts: CommitOptions = {}): Promise<GitCommit> {
  const wait = opts.wait ?? ((ms: number) => sleep(ms));
  for (let i = 0; ; i++) {
    const done = await tryCommit(w, message);
    if (done.status !== 'failed' || !LOCKED.test(done.said) || i >= LOCK_WAITS.length) return done;
    await wait(LOCK_WAITS[i]!);
  }
}

async function tryCommit(w: Worktree, message: string): Promise<GitCommit> {
  const where = { branch: w.branch, path: w.path };
  const added = await git(w.path, ['add', '-A']);
  // Until this was checked, a failed add (a lock, a full disk) read as nothing to commit.
  if (!added.ok) return failed(w, added);
  if ((await git(w.path, ['diff', '--cached', '--quiet'])).ok) {
    const head = await git(w.path, ['log', '-1', '--format=%H%n%B']);
    const [commit = '', ...body] = head.stdout.split('\n');
    const ours = head.ok && commit !== w.base && body.join('\n').trim() === message.trim();
    return ours ? { status: 'committed', commit, ...where } : { status: 'nothing', ...where };
  }
  // A machine without a git identity still gets a commit, signed as teamstate.
  const named = (await git(w.path, ['config', 'user.email'])).stdout.trim() !== '';
  const who = named ? [] : ['-c', 'user.name=teamstate', '-c', 'user.email=teamstate@localhost'];
  const made = await git(w.path, [...who, 'commit', '-q', '-m', message]);
  if (!made.ok) return failed(w, made);
  return { status: 'committed', commit: (await git(w.path, ['rev-parse', 'HEAD'])).stdout.trim(), ...where };
}

/**
 * git's words for a refusal; a passing fault of the machine is thrown instead, when git's
 * own lines name it (`fatal:`, `error:`, a git that could not be started): a hook prints
 * what it likes, and its words must not hold the engine up as a full disk does.
 */
function failed(w: Worktree, r: GitResult): GitCommit {
  const words = r.stderr.trim() || r.stdout.trim() || 'git gave no reason';
  const code = faultIn(words.split('\n').filter((l) => /^(fatal|error):|^spawn /.test(l)).join('\n'));
  if (code) throw new CommitFaultError(w, words, code);
  const said = words.length > SAID_MAX ? `${words.slice(0, SAID_MAX)}… (${words.length - SAID_MAX} more characters)` : words;
  return { status: 'failed', said, branch: w.branch, path: w.path };
}
