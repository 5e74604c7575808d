import { makeTemp } from '../temp.js';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { stateLabel } from '../../src/engine/apply.js';
import { HANDOFF_BODY, delivered, drop, settle, tempWorkspace } from './helpers.js';


describe('a run through the whole lifecycle', () => {
  it('should take a task from the analyst handoff to done with a rejection, a BUG, a FAIL and a PASS', async () => {
    const project = await makeTemp('teamstate-project-');
    const paths = await tempWorkspace('instant', (c) => {
      c.project = project;
    });
    const warnings: string[] = [];
    const now = Date.parse('2026-11-27T09:00:00Z');
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, now: () => now, settleMs: 0, log: (l) => warnings.push(l) });
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await settle(engine);
      const run = () => engine.run('t1')!;
      expect(stateLabel(run().snapshot.value)).toBe('awaitingApproval.waiting');
      const plans = await delivered(paths, 'conductor');
      expect(plans).toHaveLength(1);
      expect(plans[0]).toContain('[TYPE: PLAN]');
      expect(plans[0]).toContain('[PRIORITY: HIGH]');

      await drop(paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'REJECTED: name the migration' });
      await settle(engine);
      expect(stateLabel(run().snapshot.value)).toBe('awaitingApproval.waiting');
      expect(await delivered(paths, 'conductor')).toHaveLength(2);

      // Out of place: breaker cannot approve.
      await drop(paths, 'backend-engineer', { from: 'breaker', type: 'STATUS', priority: 'LOW', task: 't1', body: 'APPROVED' });
      await drop(paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'APPROVED' });
      await settle(engine);
      expect(stateLabel(run().snapshot.value)).toBe('verifying');
      expect((await delivered(paths, 'sentinel')).some((m) => m.includes('[TYPE: HANDOFF]'))).toBe(true);
      expect((await delivered(paths, 'breaker')).some((m) => m.includes('[LANDMINE]'))).toBe(true);

      await drop(paths, 'backend-engineer', { from: 'breaker', type: 'BUG', priority: 'HIGH', task: 't1', body: '## BUG-1: SQL injection in email filter' });
      await settle(engine);
      await drop(paths, 'backend-engineer', { from: 'sentinel', type: 'FAIL', priority: 'HIGH', task: 't1', body: '## SENTINEL: FAILURES DETECTED' });
      await settle(engine);
      expect((await delivered(paths, 'sentinel')).filter((m) => m.includes('[TYPE: BUG_FIX]'))).toHaveLength(2);
      await drop(paths, 'backend-engineer', { from: 'sentinel', type: 'PASS', priority: 'LOW', task: 't1', body: '## SENTINEL: ALL CLEAR' });
      await settle(engine);
      expect(run().snapshot.value).toBe('done');
      const ctx = run().snapshot.context as { fixCycles: number; planApprovedFirstTry: boolean };
      expect(ctx.fixCycles).toBe(2);
      expect(ctx.planApprovedFirstTry).toBe(false);
      expect((await delivered(paths, 'librarian')).some((m) => m.includes('Task complete'))).toBe(true);
      const cur = await fs.readdir(paths.inbox('backend-engineer').cur);
      expect(cur).toHaveLength(7);
      expect((run().snapshot.context as { notices: unknown[] }).notices).toEqual([]);
      const log = await fs.readFile(path.join(project, '.claude/memory/agent-logs/backend-engineer.md'), 'utf8');
      expect(log).toContain('# Backend Engineer — Agent Log');
      expect(log).toMatch(/Fix cycles: 2/);
      expect(log).toMatch(/Plan approved first try: no/);
      expect(log).toMatch(/Breaker bugs: 1/);
      expect(log).toMatch(/Sentinel passed first try: no/);
      expect(warnings.filter((w) => w.startsWith('warning'))).toEqual([]);
    } finally {
      await engine.stop();
    }
  });
});
