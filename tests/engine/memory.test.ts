import { afterAll, describe, expect, it } from 'vitest';
import { readJournal } from '../../src/engine/read.js';
import { Engine } from '../../src/engine/engine.js';
import type { LazySteps } from '../../src/engine/lazy-steps.js';
import type { RunRecord } from '../../src/engine/run-state.js';
import { removeTemps } from '../temp.js';
import { HANDOFF_BODY, drop, settle, tempWorkspace } from './helpers.js';

afterAll(removeTemps);

const STEPS: [string, string, string][] = [
  ['conductor', 'STATUS', 'APPROVED'],
  ['sentinel', 'PASS', '## SENTINEL: ALL CLEAR'],
];

describe('finished runs', () => {
  it('should leave the engine’s memory, and a late message for one should go to its journal as out of place, not start a new run', async () => {
    const paths = await tempWorkspace('instant');
    let engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await settle(engine);
      for (const [from, type, body] of STEPS) {
        await drop(paths, 'backend-engineer', { from, type: type as 'STATUS', priority: 'HIGH', task: 't1', body });
        await settle(engine);
      }
      expect(engine.run('t1')?.snapshot.value).toBe('done');
      expect(engine.core.runs.has('t1')).toBe(false);
      expect(engine.unfinished()).toEqual([]);
    } finally {
      await engine.stop();
    }
    // A new engine holds no finished run at all; the late HANDOFF brings t1 back from the store.
    engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      expect(engine.runs()).toEqual([]);
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await settle(engine);
      expect(engine.run('t1')?.snapshot.value).toBe('done');
      expect(engine.core.runs.size).toBe(0);
    } finally {
      await engine.stop();
    }
    const { records } = await readJournal(paths, 't1');
    expect(records.filter((r) => r.kind === 'created')).toHaveLength(1);
    const last = records.filter((r): r is Extract<RunRecord, { kind: 'event' }> => r.kind === 'event').at(-1)!;
    expect(last.source.kind === 'message' && last.source.type).toBe('HANDOFF');
    expect(last.outOfPlace).toMatch(/ended/);
  });
});

describe('what the steps keep per run', () => {
  it('should be nothing once the run finished or was left on disk: a long-lived engine does not grow with its runs', async () => {
    const paths = await tempWorkspace('instant');
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      const runner = await (engine.core.steps as LazySteps).load();
      for (const task of ['t1', 't2', 't3']) {
        await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task, body: HANDOFF_BODY });
      }
      await settle(engine);
      // Three runs waiting in memory, each with its working folder found once.
      expect(engine.unfinished()).toHaveLength(3);
      expect(runner.workDirs.size).toBe(3);
      for (const task of ['t1', 't2']) {
        for (const [from, type, body] of STEPS) {
          await drop(paths, 'backend-engineer', { from, type: type as 'STATUS', priority: 'HIGH', task, body });
          await settle(engine);
        }
        expect(engine.run(task)?.snapshot.value).toBe('done');
      }
      // The finished ones are forgotten; the one still waiting keeps its entry until it is left on disk.
      expect(runner.workDirs.size).toBe(1);
      engine.core.snapshots.keepLoaded = 0;
      await engine.core.writeSnapshots();
      expect(engine.core.runs.isOnDisk('t3')).toBe(true);
      expect(runner.workDirs.size).toBe(0);
      // Read back, it goes on and finishes as any other.
      for (const [from, type, body] of STEPS) {
        await drop(paths, 'backend-engineer', { from, type: type as 'STATUS', priority: 'HIGH', task: 't3', body });
        await settle(engine);
      }
      expect(engine.run('t3')?.snapshot.value).toBe('done');
      expect(runner.workDirs.size).toBe(0);
    } finally {
      await engine.stop();
    }
  });
});
