import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { machines } from '../../machines/index.js';
import { readJournal } from '../../src/engine/read.js';
import { replay } from '../../src/engine/replay.js';
import { Engine } from '../../src/engine/engine.js';
import { loadConfig } from '../../src/workspace/config.js';
import { initWorkspace } from '../../src/workspace/init.js';
import { WorkspacePaths } from '../../src/workspace/paths.js';
import { canMount, fill, makeReadOnly, mountTmpfs, unmountAll } from '../bench/mounts.js';
import { drop, HANDOFF_BODY, tempWorkspace } from './helpers.js';
import { makeTemp } from '../temp.js';

const ENGINEER = 'backend-engineer';
afterEach(() => unmountAll());
if (!canMount) console.warn('skipping the disk fault tests: this machine cannot mount a tmpfs or a read-only bind mount (needs root and mount(8))');

const handoff = (paths: WorkspacePaths, task: string) => drop(paths, ENGINEER, { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task, body: HANDOFF_BODY });
const approval = (paths: WorkspacePaths, task: string) => drop(paths, ENGINEER, { from: 'conductor', type: 'STATUS', priority: 'HIGH', task, body: 'APPROVED' });

/** Waits (real time, generous) for `cond`, while the engine runs on its own: its watcher, its timed scan, its retries. */
async function waitFor(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** PLANs for `task` delivered to the conductor (new/ and cur/). */
async function plans(paths: WorkspacePaths, task: string): Promise<number> {
  let n = 0;
  for (const dir of [paths.inbox('conductor').new, paths.inbox('conductor').cur]) {
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      if (name.startsWith('.')) continue;
      const text = await fs.readFile(path.join(dir, name), 'utf8');
      if (text.includes('[TYPE: PLAN]') && text.includes(`[TASK: ${task}]`)) n++;
    }
  }
  return n;
}

async function expectReplays(paths: WorkspacePaths, task: string): Promise<void> {
  const config = await loadConfig(paths.root);
  const { records, note } = await readJournal(paths, task);
  expect(note).toBeUndefined();
  expect(replay(machines['backend-engineer']!, config, records)).toMatchObject({ ok: true });
}

const waiting = (state: unknown) => JSON.stringify(state) === JSON.stringify({ awaitingApproval: 'waiting' });

describe.skipIf(!canMount)('a full, failing or read-only disk under a running engine (tmpfs and read-only bind mounts)', () => {
  it('goes on by itself when a run’s journal could not be written after its records were sealed in the write-ahead log', async () => {
    const paths = await tempWorkspace('instant', (c) => (c.scanIntervalMs = 100));
    // The run's folder is its own tiny file system; runs/ (with the write-ahead log) has room.
    await mountTmpfs(paths.run('lag-1').dir, 1024);
    const warnings: string[] = [];
    const engine = await Engine.start({ workspaceDir: paths.root, settleMs: 0, log: (l) => warnings.push(l) });
    try {
      await handoff(paths, 'lag-1');
      await waitFor(() => waiting(engine.run('lag-1')?.snapshot.value), 'the plan to wait for approval');
      const free = await fill(paths.run('lag-1').dir);
      await approval(paths, 'lag-1');
      await waitFor(() => warnings.some((w) => /ENOSPC/.test(w)), 'the fault to be said');
      await new Promise((r) => setTimeout(r, 500));
      await free();
      await waitFor(() => !waiting(engine.run('lag-1')?.snapshot.value) && Object.keys(engine.run('lag-1')!.steps).length === 0, 'the run to go on');
    } finally {
      await engine.stop();
    }
    expect(warnings.join('\n')).not.toMatch(/restart the engine/);
    await expectReplays(paths, 'lag-1');
    expect(await plans(paths, 'lag-1')).toBe(1);
  });

  it('leaves no run stuck when the whole workspace fills up mid-flight, and delivers each plan once after space is freed', async () => {
    const dir = await makeTemp('teamstate-full-');
    await mountTmpfs(dir, 1024);
    await initWorkspace(dir, { preset: 'instant' });
    const paths = new WorkspacePaths(dir);
    const warnings: string[] = [];
    // No watcher and no timed scan: after the first scan, only the engine's own retries move things.
    const engine = await Engine.start({ workspaceDir: paths.root, settleMs: 0, watch: false, log: (l) => warnings.push(l) });
    const tasks = ['w1', 'w2', 'w3', 'w4', 'w5'];
    try {
      for (const t of tasks) await handoff(paths, t);
      // Full but for a few pages: the runs get some way, then the disk fills under them.
      const spare = path.join(paths.root, '.spare');
      await fs.writeFile(spare, Buffer.alloc(4096));
      const free = await fill(paths.root);
      await fs.rm(spare);
      await engine.scan();
      await new Promise((r) => setTimeout(r, 1500));
      const lines = warnings.filter((w) => /ENOSPC/.test(w)).length;
      await free();
      await waitFor(() => tasks.every((t) => waiting(engine.run(t)?.snapshot.value) && engine.run(t)!.undelivered.length === 0), 'every run to wait for approval');
      // Said once per kind of work, then at most every few seconds: no line per retry.
      expect(lines).toBeGreaterThan(0);
      expect(lines).toBeLessThan(12);
    } finally {
      await engine.stop();
    }
    for (const t of tasks) {
      await expectReplays(paths, t);
      expect(await plans(paths, t)).toBe(1);
    }
    expect(await fs.readdir(paths.inbox(ENGINEER).new)).toEqual([]);
    expect(await fs.readdir(paths.inbox(ENGINEER).rejected)).toEqual([]);
  });

  it('waits while runs/ is read-only, says where, and goes on by itself once it is writable again', async () => {
    const paths = await tempWorkspace('instant', (c) => (c.scanIntervalMs = 100));
    const warnings: string[] = [];
    const engine = await Engine.start({ workspaceDir: paths.root, settleMs: 0, log: (l) => warnings.push(l) });
    try {
      await handoff(paths, 'ro-0');
      await waitFor(() => waiting(engine.run('ro-0')?.snapshot.value), 'the first run');
      const undo = makeReadOnly(paths.runsDir);
      await handoff(paths, 'ro-1');
      await approval(paths, 'ro-0');
      await waitFor(() => warnings.some((w) => /EROFS/.test(w)), 'the fault to be said');
      await new Promise((r) => setTimeout(r, 1000));
      expect(warnings.filter((w) => /EROFS/.test(w)).length).toBeLessThan(4);
      expect(warnings.find((w) => /EROFS/.test(w))).toMatch(/read-only \(EROFS at .*runs/);
      undo();
      await waitFor(() => waiting(engine.run('ro-1')?.snapshot.value) && engine.run('ro-0')?.snapshot.value !== undefined && !waiting(engine.run('ro-0')?.snapshot.value), 'both runs to go on');
    } finally {
      await engine.stop();
    }
    await expectReplays(paths, 'ro-0');
    await expectReplays(paths, 'ro-1');
    expect(await plans(paths, 'ro-1')).toBe(1);
  });
});
