import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { processStartTicks } from '../../src/handlers/process-tree.js';
import { acquireLock } from '../../src/store/lock.js';
import { tempDir } from './helpers.js';

const me = (): { pid: number; startedAt: number } => ({ pid: process.pid, startedAt: Date.parse('2026-01-02T03:04:05.000Z') });

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid as number;
}

async function staleLock(dir: string): Promise<string> {
  const file = path.join(dir, '.teamstate.lock');
  await fs.writeFile(file, JSON.stringify({ pid: await deadPid(), startedAt: 0, nonce: 'dead0001' }));
  return file;
}

describe('the workspace lock', () => {
  it('refuses a second engine, naming the running one’s pid and start', async () => {
    const file = path.join(await tempDir(), '.teamstate.lock');
    const lock = await acquireLock(file, me());
    const err = await acquireLock(file, { pid: process.pid, startedAt: Date.now() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(
      `another engine is running on this workspace (pid ${process.pid}, since 2026-01-02T03:04:05.000Z); stop it first`,
    );
    await lock.release();
    await lock.release();
    const again = await acquireLock(file, me());
    await again.release();
    expect(await fs.readdir(path.dirname(file))).toEqual([]);
  });

  it('takes over a lock left by a dead process', async () => {
    const dir = await tempDir();
    const file = await staleLock(dir);
    const lock = await acquireLock(file, me());
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('lets exactly one of several racing takeovers win, every time', async () => {
    for (let round = 0; round < 10; round++) {
      const dir = await tempDir();
      const file = await staleLock(dir);
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => acquireLock(file, me())));
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(String(r.reason)).toMatch(/another engine is running/);
      await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
      expect(await fs.readdir(dir)).toEqual([]);
    }
  });

  it('lets exactly one of several processes racing for a stale lock win', async () => {
    const dir = await tempDir();
    const file = await staleLock(dir);
    const fixture = path.join(import.meta.dirname, 'fixtures', 'lock-child.ts');
    const children: ChildProcessWithoutNullStreams[] = Array.from({ length: 4 }, () =>
      spawn(process.execPath, ['--import', 'tsx', fixture, file], { cwd: process.cwd() }),
    );
    const firstLines = await Promise.all(
      children.map(async (c) => {
        let out = '';
        c.stdout.setEncoding('utf8');
        for await (const chunk of c.stdout) {
          out += chunk as string;
          if (out.includes('\n')) break;
        }
        return out.trim();
      }),
    );
    for (const c of children) c.stdin.end();
    await Promise.all(children.map((c) => (c.exitCode === null ? once(c, 'exit') : undefined)));
    expect(firstLines.filter((l) => l === 'WON')).toHaveLength(1);
    expect(firstLines.filter((l) => l.startsWith('REFUSED another engine is running'))).toHaveLength(3);
  });

  it('takes over even when an earlier takeover died half way', async () => {
    const dir = await tempDir();
    const file = await staleLock(dir);
    await fs.writeFile(`${file}.takeover-dead0001`, JSON.stringify({ pid: await deadPid(), startedAt: 0, nonce: 'dead0002' }));
    const lock = await acquireLock(file, me());
    await lock.release();
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('says what to do with a lock file it cannot read', async () => {
    const file = path.join(await tempDir(), '.teamstate.lock');
    await fs.writeFile(file, 'not json');
    await expect(acquireLock(file, me())).rejects.toThrow(/unreadable; if no engine is running on this workspace, delete it/);
  });

  it('takes over a lock naming a live process that is not the one that took it (a reused pid)', async () => {
    const dir = await tempDir();
    const file = path.join(dir, '.teamstate.lock');
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      await once(other, 'spawn');
      const ticks = processStartTicks(other.pid as number);
      expect(ticks).toBeTypeOf('number');
      // The lock's process started one tick earlier than the live one with its pid: another process.
      await fs.writeFile(file, JSON.stringify({ pid: other.pid, startedAt: 0, nonce: 'reused01', startTicks: (ticks as number) - 1 }));
      const lock = await acquireLock(file, me());
      expect(JSON.parse(await fs.readFile(file, 'utf8'))).toMatchObject({ pid: process.pid, startTicks: processStartTicks(process.pid) });
      await lock.release();
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('still refuses a lock whose live process started when the lock says', async () => {
    const dir = await tempDir();
    const file = path.join(dir, '.teamstate.lock');
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      await once(other, 'spawn');
      await fs.writeFile(file, JSON.stringify({ pid: other.pid, startedAt: 0, nonce: 'live0001', startTicks: processStartTicks(other.pid as number) }));
      await expect(acquireLock(file, me())).rejects.toThrow(`another engine is running on this workspace (pid ${other.pid}`);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over a lock written before the machine rebooted, even when its pid is alive now', async () => {
    const dir = await tempDir();
    const file = path.join(dir, '.teamstate.lock');
    await fs.writeFile(file, JSON.stringify({ pid: process.pid, startedAt: 0, nonce: 'boot0001', bootId: 'another-boot' }));
    const lock = await acquireLock(file, me());
    await lock.release();
  });

  it.skipIf(!canUnsharePid)('starts again as PID 1 (a restarted container) after the PID 1 that held the lock was SIGKILLed', async () => {
    const dir = await tempDir();
    const file = path.join(dir, '.teamstate.lock');
    const fixture = path.join(import.meta.dirname, 'fixtures', 'lock-child.ts');
    const asPid1 = () =>
      spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child=SIGKILL', process.execPath, '--import', 'tsx', fixture, file], { cwd: process.cwd() });
    const firstLine = async (c: ChildProcessWithoutNullStreams): Promise<string> => {
      let out = '';
      c.stdout.setEncoding('utf8');
      for await (const chunk of c.stdout) {
        out += chunk as string;
        if (out.includes('\n')) break;
      }
      return out.trim();
    };
    const first = asPid1();
    expect(await firstLine(first)).toBe('WON');
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toMatchObject({ pid: 1 });
    first.kill('SIGKILL');
    await once(first, 'exit');
    const second = asPid1();
    try {
      expect(await firstLine(second)).toBe('WON');
    } finally {
      second.stdin.end();
      if (second.exitCode === null) await once(second, 'exit');
    }
  });
});

/** Whether this machine lets a test run a process as PID 1 of its own pid namespace (root and util-linux unshare). */
const canUnsharePid: boolean = (() => {
  try {
    return execFileSync('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', 'echo $$'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() === '1';
  } catch {
    return false;
  }
})();
if (!canUnsharePid) console.warn('skipping the PID 1 lock test: this machine cannot run a process in its own pid namespace (needs root and unshare)');

describe('a held lock, looked at again', () => {
  it('is still held while its file is there', async () => {
    const file = path.join(await tempDir(), '.teamstate.lock');
    const lock = await acquireLock(file, me());
    expect(await lock.check()).toEqual({ state: 'held' });
    await lock.release();
  });

  it('puts its file back when it was removed, so that a second engine is refused again', async () => {
    const file = path.join(await tempDir(), '.teamstate.lock');
    const lock = await acquireLock(file, me());
    await fs.rm(file);
    expect(await lock.check({ putBack: false })).toEqual({ state: 'missing' });
    await expect(fs.stat(file)).rejects.toThrow(/ENOENT/);
    expect(await lock.check()).toEqual({ state: 'retaken' });
    expect(await lock.check()).toEqual({ state: 'held' });
    await expect(acquireLock(file, { pid: process.pid, startedAt: Date.now() })).rejects.toThrow(/another engine is running/);
    await lock.release();
    await expect(fs.stat(file)).rejects.toThrow(/ENOENT/);
  });

  it('is lost to another holder who took it after its file was removed, and is not released for it', async () => {
    const dir = await tempDir();
    const file = path.join(dir, '.teamstate.lock');
    const lock = await acquireLock(file, me());
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    try {
      // Another engine's lock put in its place in one step (no moment without a lock file).
      const aside = path.join(dir, 'other.lock');
      await fs.writeFile(aside, JSON.stringify({ pid: other.pid, startedAt: Date.now(), nonce: 'other001' }));
      await fs.rename(aside, file);
      expect(await lock.check()).toEqual({ state: 'taken', pid: other.pid });
      await lock.release();
      expect(JSON.parse(await fs.readFile(file, 'utf8'))).toMatchObject({ nonce: 'other001' });
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('says when the folder it was in is gone', async () => {
    const dir = path.join(await tempDir(), 'workspace');
    await fs.mkdir(dir);
    const lock = await acquireLock(path.join(dir, '.teamstate.lock'), me());
    await fs.rm(dir, { recursive: true });
    expect(await lock.check({ putBack: false })).toEqual({ state: 'gone' });
    expect(await lock.check()).toEqual({ state: 'gone' });
    await lock.release();
  });
});
