import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { machines } from '../../machines/index.js';
import { stateLabel } from '../../src/engine/apply.js';
import { Engine } from '../../src/engine/engine.js';
import { replay } from '../../src/engine/replay.js';
import { summarize } from '../../src/engine/view.js';
import type { RunRecord, RunState } from '../../src/engine/run-state.js';
import { createFolderStore } from '../../src/store/folder-store.js';
import { removeTemps } from '../temp.js';
import { HANDOFF_BODY, delivered, drop, settle, tempWorkspace } from './helpers.js';

afterAll(removeTemps);

const ENGINEER = 'backend-engineer';
const start = (root: string) => Engine.start({ workspaceDir: root, watch: false, settleMs: 0 });
const normal = (s: RunState | undefined) => JSON.parse(JSON.stringify(s)) as RunState;

async function journal(root: string, runId: string): Promise<RunRecord[]> {
  const store = createFolderStore<RunRecord, RunState>(path.join(root, 'runs'), { readOnly: true, fsync: false });
  try {
    return (await store.read(runId)).records;
  } finally {
    await store.close();
  }
}

describe('a run left on disk while it waits', () => {
  it('is read back on its next message and goes on exactly as its journal says', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.project = '.';
    });
    const engine = await start(paths.root);
    // Nothing kept in memory once it waits: every waiting run is left on disk.
    engine.core.snapshots.keepLoaded = 0;
    let last: RunState | undefined;
    engine.core.on('run', (s) => (last = s));
    try {
      await drop(paths, ENGINEER, { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await settle(engine);
      expect(stateLabel(last!.snapshot.value)).toBe('awaitingApproval.waiting');
      expect(engine.core.runs.isOnDisk('t1')).toBe(true);
      expect(engine.core.runs.loaded).toBe(0);
      // Readers see it as it was left, and leave it there.
      expect(engine.runs()).toEqual([normal(last)]);
      expect(engine.core.runs.isOnDisk('t1')).toBe(true);
      // Its timers stay armed while it is on disk.
      expect(engine.core.timers.size()).toBe(Object.keys(last!.timers).length);

      await drop(paths, ENGINEER, { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'APPROVED' });
      await settle(engine);
      expect(last!.snapshot.value).toBe('verifying');
      expect(engine.core.timers.size()).toBe(0);
    } finally {
      await engine.stop();
    }
    const records = await journal(paths.root, 't1');
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
    expect(replay(machines['backend-engineer']!, engine.config, records)).toMatchObject({ ok: true });
    // Each reply went out once.
    expect((await delivered(paths, 'conductor')).filter((m) => m.includes('[TYPE: PLAN]'))).toHaveLength(1);
  });

  it('is read back as the same state after a restart, from its cache or from its journal alone', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.project = '.';
    });
    let engine = await start(paths.root);
    await drop(paths, ENGINEER, { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
    await settle(engine);
    // Kept in memory here (one run): the stop caches it.
    expect(engine.core.runs.isOnDisk('t1')).toBe(false);
    const before = engine.runs();
    await engine.stop();
    await fs.access(paths.run('t1').snapshot);
    for (const withCache of [true, false]) {
      if (!withCache) await fs.rm(paths.run('t1').snapshot, { force: true });
      engine = await start(paths.root);
      try {
        expect(engine.core.runs.isOnDisk('t1')).toBe(true);
        expect(engine.runs()).toEqual(before);
      } finally {
        await engine.stop();
      }
    }
  });

  it.each([
    ['its journal', (paths: { run(id: string): { journal: string } }) => fs.rm(paths.run('t1').journal), /journal .* was deleted/],
    ['its whole folder', (paths: { run(id: string): { dir: string } }) => fs.rm(paths.run('t1').dir, { recursive: true }), /its folder .*t1 was deleted while it waited on disk, its journal and snapshot cache with it \(the engine had journaled \d+ records of it, and it was waiting on someone\); nothing of its state is left to show/],
  ])('is quarantined, shown, and its next message kept aside, when %s was deleted meanwhile', async (what, remove, why) => {
    const paths = await tempWorkspace('instant', (c) => {
      c.project = '.';
    });
    const engine = await start(paths.root);
    engine.core.snapshots.keepLoaded = 0;
    const warnings: string[] = [];
    engine.core.on('warning', (w) => warnings.push(w));
    try {
      await drop(paths, ENGINEER, { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await settle(engine);
      expect(engine.core.runs.isOnDisk('t1')).toBe(true);
      await remove(paths);
      const name = await drop(paths, ENGINEER, { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'APPROVED' });
      await settle(engine);
      expect(engine.run('t1')?.quarantined?.reason).toMatch(why);
      // With its folder gone, nothing of it is left: it says so, not as a new run's bare state.
      const task = (engine.run('t1')!.snapshot.context as { task: { description: string } }).task;
      if (what === 'its whole folder') expect(task.description).toMatch(/^Nothing of this run could be read: its folder/);
      else expect(task.description).not.toBe('');
      // What the UI and `runs` show of it.
      expect(summarize(engine.run('t1')!, engine.config).runId).toBe('t1');
      expect(engine.core.timers.size()).toBe(0);
      expect(await fs.readdir(paths.inbox(ENGINEER).rejected)).toContain(name);
      expect(warnings.join('\n')).toMatch(/run t1 quarantined/);
    } finally {
      await engine.stop();
    }
    // And so after a restart, from its quarantine note.
    const again = await start(paths.root);
    try {
      expect(again.run('t1')?.quarantined?.reason).toMatch(why);
    } finally {
      await again.stop();
    }
  });
});
