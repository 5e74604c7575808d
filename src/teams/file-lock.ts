import { promises as fs } from 'node:fs';
import lockfile from 'proper-lockfile';

/**
 * Claude Code's lock options: an inbox retries 10 times (5–100 ms, about 0.6 s), a task
 * list 30 times (about 2.6 s). Stale after proper-lockfile's default 10 s, as Claude Code.
 */
export const INBOX_RETRIES = { retries: 10, minTimeout: 5, maxTimeout: 100 };
export const TASK_RETRIES = { retries: 30, minTimeout: 5, maxTimeout: 100 };

/** How long we keep trying for a lock another process holds (a killed holder's lock turns stale after 10 s). */
const PATIENCE_MS = 30_000;

export interface LockTarget {
  /** The file locked (it must exist: proper-lockfile resolves its real path). */
  file: string;
  /** The lock itself, a directory: `<file>.lock` unless said otherwise. */
  lockfilePath?: string;
  retries: typeof INBOX_RETRIES;
}

/**
 * Runs `fn` holding the same lock Claude Code takes on `target.file`: proper-lockfile's
 * mkdir lock at `lockfilePath`, with Claude Code's retry options per attempt. Where Claude
 * Code gives up after one attempt's retries, we try again for up to 30 s, so that the lock
 * of a holder killed mid-write (stale after 10 s) doesn't lose our write.
 */
export async function withFileLock<T>(target: LockTarget, fn: () => Promise<T>, opts: { onCompromised?: (e: Error) => void } = {}): Promise<T> {
  const start = Date.now();
  let release: (() => Promise<void>) | undefined;
  for (;;) {
    try {
      release = await lockfile.lock(target.file, {
        retries: target.retries,
        ...(target.lockfilePath ? { lockfilePath: target.lockfilePath } : {}),
        // The default throws from a timer, taking the process down; the write it guards is atomic anyway.
        onCompromised: opts.onCompromised ?? (() => undefined),
      });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ELOCKED' || Date.now() - start > PATIENCE_MS) throw e;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}

/** Creates `file` with `content` unless it exists (flag `wx`, as Claude Code does before locking). */
export async function ensureFile(file: string, content: string): Promise<void> {
  try {
    await fs.writeFile(file, content, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}
