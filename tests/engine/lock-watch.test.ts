import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startResponder, stopProcess } from '../../bench/lib/processes.js';
import { folderIdentity, lockVerdict } from '../../src/engine/lock-watch.js';
import { initWorkspace } from '../../src/workspace/init.js';
import { WorkspacePaths } from '../../src/workspace/paths.js';
import { makeTemp } from '../temp.js';
import { HANDOFF_BODY, drop, editConfig, tempWorkspace } from './helpers.js';

/** Everything the process prints from now on, and a way to wait for a line of it. */
function output(child: ChildProcess): { text: () => string; waitFor: (re: RegExp, ms?: number) => Promise<void> } {
  let text = '';
  child.stdout!.on('data', (b: Buffer) => (text += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (text += b.toString()));
  return {
    text: () => text,
    waitFor: async (re, ms = 20_000) => {
      for (const t0 = Date.now(); !re.test(text); ) {
        if (Date.now() - t0 > ms) throw new Error(`no ${re} in: ${text}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

async function engineOn(paths: WorkspacePaths) {
  await editConfig(paths, (c) => (c.scanIntervalMs = 250));
  const { child } = await startResponder('engine', paths.root);
  return { child, out: output(child) };
}

const exitOf = async (child: ChildProcess): Promise<number | null> => (child.exitCode !== null ? child.exitCode : ((await once(child, 'exit')) as [number | null])[0]);

describe("the engine's lock, looked at each timed scan", () => {
  it('says nothing while the lock is held, and stops when it is gone with its folder', () => {
    const paths = new WorkspacePaths('/w');
    expect(lockVerdict({ state: 'held' }, paths)).toBeUndefined();
    expect(lockVerdict({ state: 'gone' }, paths)).toMatchObject({ end: expect.stringMatching(/the workspace \/w is gone/) });
  });

  it('tells a folder made again at once from the removed one, though it may get its inode', async () => {
    const dir = path.join(await makeTemp('teamstate-lockwatch-'), 'w');
    await fs.mkdir(dir);
    const before = folderIdentity(dir);
    await fs.rmdir(dir);
    expect(folderIdentity(dir)).toBeUndefined();
    await fs.mkdir(dir);
    expect(folderIdentity(dir)).not.toBe(before);
  });

  it('stops, exit 1, when its workspace is removed and made again under the same name', { timeout: 60_000 }, async () => {
    const paths = await tempWorkspace('instant');
    const { child, out } = await engineOn(paths);
    try {
      await fs.rm(paths.root, { recursive: true, force: true });
      await initWorkspace(paths.root, { preset: 'instant' });
      expect(await exitOf(child)).toBe(1);
      expect(out.text()).toMatch(/the workspace .* (was replaced by another folder of that name|is gone)/);
      // The new workspace is free for an engine of its own.
      await expect(fs.stat(paths.lockFile)).rejects.toThrow(/ENOENT/);
    } finally {
      await stopProcess(child);
    }
  });

  it('puts a removed lock file back and goes on working', { timeout: 60_000 }, async () => {
    const paths = await tempWorkspace('instant');
    const { child, out } = await engineOn(paths);
    try {
      await fs.rm(paths.lockFile);
      await out.waitFor(/lock file .* was removed while the engine ran; it is put back/);
      expect(JSON.parse(await fs.readFile(paths.lockFile, 'utf8'))).toMatchObject({ pid: child.pid });
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 'T-1', body: HANDOFF_BODY });
      let plans: string[] = [];
      for (let i = 0; i < 400 && plans.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        plans = (await fs.readdir(paths.inbox('conductor').new)).filter((n) => n.includes('T-1'));
      }
      expect(plans).toHaveLength(1);
      expect(child.exitCode).toBeNull();
    } finally {
      await stopProcess(child);
    }
  });

  it.each([
    ['removed from under it', (root: string) => fs.rm(root, { recursive: true, force: true })],
    ['moved', (root: string) => fs.rename(root, `${root}-moved`)],
  ])('stops, exit 1, when its workspace is %s', { timeout: 60_000 }, async (_how, goAway) => {
    const paths = await tempWorkspace('instant');
    const { child, out } = await engineOn(paths);
    try {
      await goAway(paths.root);
      expect(await exitOf(child)).toBe(1);
      expect(out.text()).toMatch(/the workspace .* is gone \(removed or moved while the engine ran\); the engine stopped/);
    } finally {
      await stopProcess(child);
      await fs.rm(`${paths.root}-moved`, { recursive: true, force: true });
    }
  });

  it('stops, exit 1, when another engine took its lock, and leaves that lock alone', { timeout: 60_000 }, async () => {
    const paths = await tempWorkspace('instant');
    const { child, out } = await engineOn(paths);
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    try {
      const aside = path.join(paths.root, 'other.lock');
      await fs.writeFile(aside, JSON.stringify({ pid: other.pid, startedAt: Date.now(), nonce: 'other001' }));
      await fs.rename(aside, paths.lockFile);
      expect(await exitOf(child)).toBe(1);
      expect(out.text()).toContain(`another engine (pid ${other.pid}) took this workspace's lock`);
      expect(JSON.parse(await fs.readFile(paths.lockFile, 'utf8'))).toMatchObject({ nonce: 'other001' });
    } finally {
      other.kill('SIGKILL');
      await stopProcess(child);
    }
  });
});
