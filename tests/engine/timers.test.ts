import { describe, expect, it } from 'vitest';
import { stateLabel } from '../../src/engine/apply.js';
import { Engine } from '../../src/engine/engine.js';
import { HANDOFF_BODY, delivered, drop, settle, tempWorkspace } from './helpers.js';


describe('durable timers', () => {
  it('should remind the conductor, then wait on a person, with deadlines that survive a restart', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.limits = { approvalReminderMs: 60_000, approvalEscalateMs: 120_000 };
      c.project = '.';
    });
    let now = Date.parse('2026-11-27T09:00:00Z');
    const clock = () => now;
    let engine = await Engine.start({ workspaceDir: paths.root, watch: false, now: clock, settleMs: 0 });
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await settle(engine);
      const timers = engine.run('t1')!.timers;
      expect(Object.values(timers).map((t) => t.deadline).sort()).toEqual([now + 60_000, now + 120_000]);
      await engine.stop();

      // Time passes while no engine runs; the restarted one re-arms from the journal.
      now += 61_000;
      engine = await Engine.start({ workspaceDir: paths.root, watch: false, now: clock, settleMs: 0 });
      await settle(engine);
      const reminders = (await delivered(paths, 'conductor')).filter((m) => m.includes('[TYPE: REQUEST]'));
      expect(reminders).toHaveLength(1);
      expect(reminders[0]).toContain('Reminder');
      expect(stateLabel(engine.run('t1')!.snapshot.value)).toBe('awaitingApproval.waiting');

      now += 60_000;
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
