import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { fsyncDir } from '../workspace/atomic.js';

/** Who holds a lock. The nonce tells two holders with the same pid (a reused pid) apart. */
interface LockContent {
  pid: number;
  startedAt: number;
  nonce: string;
}

/** A held lock. */
export interface LockHandle {
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

const MAX_ATTEMPTS = 100;

/**
 * Takes the one-engine-per-workspace lock. The lock file appears complete or not at all
 * (written aside, then hard-linked into place, which fails if it exists). A lock whose
 * process is alive is refused with a {@link UserError} naming its pid; a lock whose process
 * is dead is taken over, and when several processes race to take it over exactly one wins.
 */
export async function acquireLock(lockFile: string, info: { pid: number; startedAt: number }): Promise<LockHandle> {
  const mine: LockContent = { pid: info.pid, startedAt: info.startedAt, nonce: randomBytes(8).toString('hex') };
  const tmp = await writeAside(lockFile, mine);
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        await fs.link(tmp, lockFile);
        await fsyncDir(path.dirname(lockFile));
        return { release: () => releaseIfMine(lockFile, mine.nonce) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = await readLock(lockFile);
      if (holder === 'missing') continue;
      if (isAlive(holder.pid)) {
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
  const me: LockContent = { pid: process.pid, startedAt: Date.now(), nonce: randomBytes(8).toString('hex') };
  const tmp = await writeAside(claim, me);
  try {
    await fs.link(tmp, claim);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const claimer = await readLock(claim);
    if (claimer === 'missing') return true;
    if (isAlive(claimer.pid)) return false;
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

async function readLock(file: string): Promise<LockContent | 'missing'> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw e;
  }
  try {
    const v = JSON.parse(text) as Partial<LockContent>;
    if (Number.isInteger(v.pid) && (v.pid as number) > 0 && typeof v.startedAt === 'number' && typeof v.nonce === 'string') return v as LockContent;
  } catch {
    // fall through to the error below
  }
  throw new UserError(`the lock file ${file} is unreadable; if no engine is running on this workspace, delete it and retry`);
}

async function releaseIfMine(file: string, nonce: string): Promise<void> {
  const now = await readLock(file).catch(() => 'missing' as const);
  if (now === 'missing' || now.nonce !== nonce) return;
  await fs.rm(file, { force: true });
  await fsyncDir(path.dirname(file));
}

/** Whether a process exists; EPERM means it exists but belongs to someone else. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
