import { afterAll, describe, expect, it } from 'vitest';
import { stateLabel } from '../../src/engine/apply.js';
import { Engine } from '../../src/engine/engine.js';
import type { Timer } from '../../src/engine/run-state.js';
import { FIRING_AT_ONCE, TimerTable } from '../../src/engine/timers.js';
import { removeTemps } from '../temp.js';
import { HANDOFF_BODY, delivered, drop, settle, tempWorkspace } from './helpers.js';

afterAll(removeTemps);

const timer = (type: string, deadline: number): Timer => ({ event: { type }, deadline });

/** Waits (on the real clock) until `cond` holds; fails after a long while. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`gave up waiting for ${what}`);
}

describe('the timer table', () => {
  it('fires every run’s timers from one shared timeout, earliest deadline first, each once', async () => {
    const fired: string[] = [];
    const table = new TimerTable(Date.now, (runId, id, t) => void fired.push(`${runId}/${id}/${t.event.type}`));
    const now = Date.now();
    table.sync('a', { late: timer('A-late', now + 60), early: timer('A-early', now + 20) });
    table.sync('b', { only: timer('B', now + 40) });
    table.sync('c', { gone: timer('C', now + 30) });
    table.sync('c', {});
    expect(table.size()).toBe(3);
    expect(table.runs()).toBe(2);
    await until(() => fired.length === 3, 'three timers');
    await new Promise((r) => setTimeout(r, 50));
    expect(fired).toEqual(['a/early/A-early', 'b/only/B', 'a/late/A-late']);
    expect(table.size()).toBe(0);
    expect(table.runs()).toBe(0);
  });

  it('moves a timer whose deadline changed and keeps one that did not', () => {
    let now = 1_000;
    const fired: string[] = [];
    const table = new TimerTable(() => now, (runId, id) => void fired.push(`${runId}/${id}`));
    table.sync('a', { t: timer('T', 2_000), u: timer('U', 3_000) });
    table.sync('a', { t: timer('T', 5_000), u: timer('U', 3_000) });
    now = 2_500;
    table.fireDue();
    expect(fired).toEqual([]);
    now = 4_000;
    table.fireDue();
    expect(fired).toEqual(['a/u']);
    now = 5_000;
    table.fireDue();
    expect(fired).toEqual(['a/u', 'a/t']);
    table.clear();
  });

  it('holds armed timers while runs are read back at a start, then fires the overdue ones at once', async () => {
    const fired: string[] = [];
    const table = new TimerTable(Date.now, (runId) => void fired.push(runId));
    table.hold();
    table.sync('a', { t: timer('T', Date.now() - 1_000) });
    table.fireDue();
    await new Promise((r) => setTimeout(r, 30));
    expect(fired).toEqual([]);
    table.start();
    await until(() => fired.length === 1, 'the overdue timer');
    expect(fired).toEqual(['a']);
  });

  it('has at most FIRING_AT_ONCE fired timers being applied at once, and fires the rest, each once, as they are done', async () => {
    const n = FIRING_AT_ONCE * 3 + 5;
    const pending: (() => void)[] = [];
    const fired = new Map<string, number>();
    let most = 0;
    const table = new TimerTable(Date.now, (runId) => {
      fired.set(runId, (fired.get(runId) ?? 0) + 1);
      return new Promise<void>((resolve) => {
        pending.push(resolve);
        most = Math.max(most, pending.length);
      });
    });
    for (let i = 0; i < n; i++) table.sync(`r${i}`, { t: timer('T', Date.now() - 1) });
    table.fireDue();
    expect(pending).toHaveLength(FIRING_AT_ONCE);
    // Each one done lets the next one fire.
    for (let i = 0; i < n * 10 && (fired.size < n || pending.length > 0); i++) {
      pending.shift()?.();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(most).toBe(FIRING_AT_ONCE);
    expect([...fired.values()].every((c) => c === 1)).toBe(true);
    expect(fired.size).toBe(n);
    expect(table.size()).toBe(0);
  });

  it('gives each fired timer its own copy of the event, though runs in the same state share one', () => {
    let now = 0;
    const events: Timer['event'][] = [];
    const table = new TimerTable(() => now, (_r, _id, t) => void events.push(t.event));
    table.sync('a', { t: timer('SAME', 10) });
    table.sync('b', { t: timer('SAME', 10) });
    now = 10;
    table.fireDue();
    expect(events).toEqual([{ type: 'SAME' }, { type: 'SAME' }]);
    expect(events[0]).not.toBe(events[1]);
  });
});

/**
 * A workspace whose approval reminder comes a minute after the plan and its escalation
 * after two, and engines started on a clock the test moves by hand (`clock.now`).
 */
async function approvalWorkspace() {
  const paths = await tempWorkspace('instant', (c) => {
    c.limits = { approvalReminderMs: 60_000, approvalEscalateMs: 120_000 };
    c.project = '.';
  });
  const clock = { now: Date.parse('2026-11-27T09:00:00Z') };
  const start = () => Engine.start({ workspaceDir: paths.root, watch: false, now: () => clock.now, settleMs: 0 });
  return { paths, clock, start };
}

describe('durable timers', () => {
  it('should fire the timers of a run left on disk at their deadlines, and after a restart too', async () => {
    const { paths, clock, start } = await approvalWorkspace();
    let engine = await start();
    try {
      engine.core.snapshots.keepLoaded = 0;
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await settle(engine);
      expect(engine.core.runs.isOnDisk('t1')).toBe(true);

      clock.now += 61_000;
      await settle(engine);
      const reminders = (await delivered(paths, 'conductor')).filter((m) => m.includes('[TYPE: REQUEST]'));
      expect(reminders).toHaveLength(1);
      // Read back to take the timer, then left on disk again (at the end of the next scan), still waiting.
      await engine.scan();
      expect(engine.core.runs.isOnDisk('t1')).toBe(true);
      expect(stateLabel(engine.runs()[0]!.snapshot.value)).toBe('awaitingApproval.waiting');
      await engine.stop();

      // The escalation's deadline passes while no engine runs: the next one, holding the run on disk, fires it once.
      clock.now += 60_000;
      engine = await start();
      await settle(engine);
      expect(stateLabel(engine.runs()[0]!.snapshot.value)).toBe('awaitingApproval.overdue');
      expect((await delivered(paths, 'conductor')).filter((m) => m.includes('[TYPE: WARNING]'))).toHaveLength(1);
      expect((await delivered(paths, 'conductor')).filter((m) => m.includes('[TYPE: REQUEST]'))).toHaveLength(1);
    } finally {
      await engine.stop();
    }
  });

  it('should remind the conductor, then wait on a person, with deadlines that survive a restart', async () => {
    const { paths, clock, start } = await approvalWorkspace();
    let engine = await start();
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await settle(engine);
      const timers = engine.run('t1')!.timers;
      expect(Object.values(timers).map((t) => t.deadline).sort()).toEqual([clock.now + 60_000, clock.now + 120_000]);
      await engine.stop();

      // Time passes while no engine runs; the restarted one re-arms from the journal.
      clock.now += 61_000;
      engine = await start();
      await settle(engine);
      const reminders = (await delivered(paths, 'conductor')).filter((m) => m.includes('[TYPE: REQUEST]'));
      expect(reminders).toHaveLength(1);
      expect(reminders[0]).toContain('Reminder');
      expect(stateLabel(engine.run('t1')!.snapshot.value)).toBe('awaitingApproval.waiting');

      clock.now += 60_000;
      await settle(engine);
      expect(stateLabel(engine.run('t1')!.snapshot.value)).toBe('awaitingApproval.overdue');
      expect(engine.run('t1')!.snapshot.tags).toContain('waiting-on-person');
      expect((await delivered(paths, 'conductor')).filter((m) => m.includes('[TYPE: WARNING]'))).toHaveLength(1);

      // A late decision is still taken.
      await drop(paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'APPROVED' });
      await settle(engine);
      expect(engine.run('t1')!.snapshot.value).toBe('verifying');
      expect(engine.run('t1')!.timers).toEqual({});
    } finally {
      await engine.stop();
    }
  });
});
