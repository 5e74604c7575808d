import { promises as fs } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { stateLabel } from '../../src/engine/apply.js';
import { Engine } from '../../src/engine/engine.js';
import type { RunState } from '../../src/engine/run-state.js';
import { mayHold, RunTable } from '../../src/engine/run-table.js';
import { removeTemps } from '../temp.js';
import { HANDOFF_BODY, drop, settle, tempWorkspace } from './helpers.js';

afterAll(removeTemps);

describe('the runs held in memory', () => {
  it('read a run left on disk back through the store, keep it once it has an event, and leave it unread for readers that only look', () => {
    const state = {
      runId: 'r1',
      machine: { id: 'backend-engineer', version: 1 },
      snapshot: { value: { awaitingApproval: 'waiting' }, context: { handoff: 'app/api.py — create_user → add ✓ 😀' }, status: 'active', tags: ['waiting-on-conductor'] },
      steps: {},
      undelivered: [],
      timers: { t: { event: { type: 'xstate.after.t' }, deadline: 5 } },
    } as unknown as RunState;
    const reads: string[] = [];
    const table = new RunTable((runId) => {
      reads.push(runId);
      return JSON.parse(JSON.stringify(state)) as RunState;
    });
    table.set('r1', state);
    expect(table.loaded).toBe(1);
    table.leave('r1');
    expect(table.loaded).toBe(0);
    expect(table.isOnDisk('r1')).toBe(true);
    expect(table.active()).toEqual(['r1']);
    expect(reads).toEqual([]);
    expect(table.peek('r1')).toEqual(state);
    expect([...table.values()]).toEqual([state]);
    expect([...table.inMemory()]).toEqual([]);
    expect(table.isOnDisk('r1')).toBe(true);
    expect(reads).toEqual(['r1', 'r1']);
    const live = table.get('r1');
    expect(live).toEqual(state);
    expect(table.isOnDisk('r1')).toBe(false);
    expect(table.loaded).toBe(1);
    expect(table.get('r1')).toBe(live);
    expect(reads).toHaveLength(3);
    table.delete('r1');
    expect(table.loaded).toBe(0);
    expect(table.size).toBe(0);
  });

  it('list the runs in memory least recently used first', () => {
    const table = new RunTable(() => {
      throw new Error('nothing is on disk here');
    });
    const s = (runId: string) => ({ runId }) as RunState;
    table.set('a', s('a'));
    table.set('b', s('b'));
    table.set('c', s('c'));
    table.set('a', s('a'));
    expect([...table.inMemory()].map(([id]) => id)).toEqual(['b', 'c', 'a']);
    expect(table.loaded).toBe(3);
  });

  it('leave on disk only runs that wait in good standing', () => {
    const waiting = { snapshot: { status: 'active' }, steps: {}, undelivered: [] } as unknown as RunState;
    expect(mayHold(waiting)).toBe(true);
    expect(mayHold({ ...waiting, steps: { plan: {} } } as unknown as RunState)).toBe(false);
    expect(mayHold({ ...waiting, undelivered: [{}] } as unknown as RunState)).toBe(false);
    expect(mayHold({ ...waiting, faulted: 'disk' })).toBe(false);
    expect(mayHold({ ...waiting, quarantined: { reason: 'x', at: 1 } })).toBe(false);
    expect(mayHold({ ...waiting, snapshot: { ...waiting.snapshot, status: 'done' } } as unknown as RunState)).toBe(false);
  });

  it('leave a run recovered waiting on the conductor on disk, show it as before, and let it take its next message', async () => {
    const paths = await tempWorkspace('instant');
    let engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
    await settle(engine);
    const before = JSON.parse(JSON.stringify(engine.run('t1'))) as RunState;
    expect(stateLabel(before.snapshot.value)).toBe('awaitingApproval.waiting');
    await engine.stop();
    engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      expect(engine.core.runs.isOnDisk('t1')).toBe(true);
      expect(engine.runs()).toEqual([before]);
      expect(engine.core.runs.isOnDisk('t1')).toBe(true);
      expect(engine.core.timers.size()).toBe(Object.keys(before.timers).length);
    } finally {
      await engine.stop();
    }
    // Read from its journal alone (no cache): left on disk all the same, and the same.
    await fs.rm(paths.run('t1').snapshot);
    engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      expect(engine.core.runs.isOnDisk('t1')).toBe(true);
      expect(engine.runs()).toEqual([before]);
      await drop(paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'APPROVED' });
      await settle(engine);
      expect(engine.run('t1')!.snapshot.value).toBe('verifying');
    } finally {
      await engine.stop();
    }
  });
});
