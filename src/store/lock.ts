import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { isAlive, processStartTicks } from '../handlers/process-tree.js';
import { fsyncDir } from '../workspace/atomic.js';

/**
 * Who holds a lock. The nonce tells two holders with the same pid (a reused pid) apart.
 * `startTicks` (when the process started, from /proc/<pid>/stat) and `bootId` name the
 * process for good: a pid alone is reused, and an engine restarted in a container is
 * PID 1 again.
 */
interface LockContent {
  pid: number;
  startedAt: number;
  nonce: string;
  startTicks?: number;
  bootId?: string;
}

/** This boot of the machine (Linux), so a lock from before a reboot is never taken for a live one. */
const bootId: string | undefined = (() => {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
})();

/** Who a lock (or takeover claim) names: this process, as the kernel knows it. */
function identity(pid: number, startedAt: number): LockContent {
  const startTicks = processStartTicks(pid);
  return { pid, startedAt, nonce: randomBytes(8).toString('hex'), ...(startTicks !== undefined ? { startTicks } : {}), ...(bootId ? { bootId } : {}) };
}

/**
 * Whether the process a lock names still runs: its pid is alive (not a zombie) and, where
 * the lock recorded them, it is the same boot and the process with that pid started at
 * the same tick. A lock naming a live but unrelated process (a reused pid, or PID 1 of a
 * restarted container) is stale. Locks written without them fall back to the pid.
 */
export function holderAlive(holder: { pid: number; startTicks?: number; bootId?: string }): boolean {
  if (holder.bootId !== undefined && bootId !== undefined && holder.bootId !== bootId) return false;
  if (!isAlive(holder.pid)) return false;
  if (holder.startTicks === undefined) return true;
  const now = processStartTicks(holder.pid);
  return now === undefined || now === holder.startTicks;
}

/**
 * Whether a held lock is still this holder's: `held`; `missing` when its file was removed
 * (and not put back); `retaken` when it was put back (nobody had taken it meanwhile);
 * `taken` when another holder's lock is in its place (its pid); `gone` when the lock's
 * folder itself is gone.
 */
export type LockState = { state: 'held' | 'missing' | 'retaken' | 'gone' } | { state: 'taken'; pid: number };

/** A held lock. */
export interface LockHandle {
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): Promise<void>;
  /** Looks at the lock file: still ours, removed (put back if `putBack`), or lost (see {@link LockState}). */
  check(opts?: { putBack?: boolean }): Promise<LockState>;
}

const MAX_ATTEMPTS = 100;

/**
 * Takes the one-engine-per-workspace lock. The lock file appears complete or not at all
 * (written aside, then hard-linked into place, which fails if it exists). A lock whose
 * process is alive is refused with a {@link UserError} naming its pid; a lock whose process
 * is gone ({@link holderAlive}: pid, start tick, boot) is taken over, and when several processes race to take it over exactly one wins.
 */
export async function acquireLock(lockFile: string, info: { pid: number; startedAt: number }): Promise<LockHandle> {
  const mine = identity(info.pid, info.startedAt);
  const tmp = await writeAside(lockFile, mine);
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        await fs.link(tmp, lockFile);
        await fsyncDir(path.dirname(lockFile));
        return { release: () => releaseIfMine(lockFile, mine.nonce), check: (opts) => checkLock(lockFile, mine, opts?.putBack ?? true) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = await readLock(lockFile);
      if (holder === 'missing') continue;
      if (holderAlive(holder)) {
        throw new UserError(
          `another engine is running on this workspace (pid ${holder.pid}, since ${new Date(holder.startedAt).toISOString()}); stop it first`,
        );
      }
      if (!(await removeIfStale(lockFile, holder))) await pause();
    }
    throw new UserError(`could not take the lock ${lockFile}: it keeps changing hands; stop the other engines and retry`);
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/**
 * Removes `file` if it still holds the dead holder `seen`. Only the process that creates
 * the claim file named for that exact lock instance may remove it, so a slow process can
 * never delete a lock taken after the one it saw. Returns whether progress was made.
 */
async function removeIfStale(file: string, seen: LockContent): Promise<boolean> {
  const claim = `${file}.takeover-${seen.nonce}`;
  const me = identity(process.pid, Date.now());
  const tmp = await writeAside(claim, me);
  try {
    await fs.link(tmp, claim);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const claimer = await readLock(claim);
    if (claimer === 'missing') return true;
    if (holderAlive(claimer)) return false;
    // The claimer died mid-takeover: its claim is itself a stale lock.
    return removeIfStale(claim, claimer);
  } finally {
    await fs.rm(tmp, { force: true });
  }
  try {
    const now = await readLock(file);
    // Nobody else can remove this instance while we hold its claim, so this check stays true.
    if (now !== 'missing' && now.nonce === seen.nonce) await fs.unlink(file);
    return true;
  } finally {
    await fs.unlink(claim);
  }
}

async function writeAside(file: string, content: LockContent): Promise<string> {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await fs.open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(JSON.stringify(content));
    await fh.sync();
  } finally {
    await fh.close();
  }
  return tmp;
}

/** The lock's content; 'missing' when there is none. Throws a {@link UserError} for an unreadable one. */
export async function readLock(file: string): Promise<LockContent | 'missing'> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw e;
  }
  try {
    const v = JSON.parse(text) as Partial<LockContent>;
    if (Number.isInteger(v.pid) && (v.pid as number) > 0 && typeof v.startedAt === 'number' && typeof v.nonce === 'string') {
      return {
        pid: v.pid as number,
        startedAt: v.startedAt,
        nonce: v.nonce,
        ...(Number.isInteger(v.startTicks) ? { startTicks: v.startTicks } : {}),
        ...(typeof v.bootId === 'string' ? { bootId: v.bootId } : {}),
      };
    }
  } catch {
    // fall through to the error below
  }
  throw new UserError(`the lock file ${file} is unreadable; if no engine is running on this workspace, delete it and retry`);
}

/**
 * Whether the lock file still holds `mine`. One removed from under its holder (a careless
 * `rm`, a clean-up script) is put back the way it was taken, so that a second engine is
 * refused again; one that names another holder means a second engine took the workspace.
 */
async function checkLock(file: string, mine: LockContent, putBack: boolean): Promise<LockState> {
  const now = await readLock(file).catch(() => undefined);
  if (now === undefined) return { state: 'held' }; // unreadable for a moment: a later check tells
  if (now !== 'missing') return now.nonce === mine.nonce ? { state: 'held' } : { state: 'taken', pid: now.pid };
  if (!putBack) return existsSync(path.dirname(file)) ? { state: 'missing' } : { state: 'gone' };
  try {
    const tmp = await writeAside(file, mine);
    try {
      await fs.link(tmp, file);
    } finally {
      await fs.rm(tmp, { force: true });
    }
    await fsyncDir(path.dirname(file));
    return { state: 'retaken' };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { state: 'gone' };
    if (code === 'EEXIST') return checkLock(file, mine, putBack);
    throw e;
  }
}

async function releaseIfMine(file: string, nonce: string): Promise<void> {
  const now = await readLock(file).catch(() => 'missing' as const);
  if (now === 'missing' || now.nonce !== nonce) return;
  await fs.rm(file, { force: true });
  await fsyncDir(path.dirname(file));
}

const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
