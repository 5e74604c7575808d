import { makeTemp } from '../temp.js';
import { promises as fs } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { readTask } from '../../src/workspace/tasks.js';
import { SPARES_KEPT } from '../../src/workspace/rewrite-spares.js';
import { HANDOFF_BODY, drop, settle, tempWorkspace, until } from './helpers.js';

describe("the engine's marks in the shared task list", () => {
  it('marks each run’s task in_progress, then completed, and leaves in tasks/ only the task files and a few spares', async () => {
    const project = await makeTemp('teamstate-project-');
    const paths = await tempWorkspace('instant', (c) => {
      c.project = project;
    });
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, now: () => Date.parse('2026-12-01T09:00:00Z'), settleMs: 0, log: () => undefined });
    const tasks = Array.from({ length: 30 }, (_, i) => `t${i}`);
    try {
      for (const task of tasks) await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task, body: HANDOFF_BODY });
      await settle(engine);
      for (const task of tasks) expect(await readTask(paths, task)).toMatchObject({ id: task, status: 'in_progress', owner: 'backend-engineer' });
      for (const task of tasks) await drop(paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task, body: 'APPROVED' });
      await settle(engine);
      for (const task of tasks) await drop(paths, 'backend-engineer', { from: 'sentinel', type: 'PASS', priority: 'LOW', task, body: '## SENTINEL: ALL CLEAR' });
      await settle(engine);
      await until(engine, () => tasks.every((t) => engine.run(t)?.snapshot.value === 'done'), 'every run done');
      for (const task of tasks) expect(await readTask(paths, task)).toMatchObject({ id: task, status: 'completed', owner: 'backend-engineer' });
      const names = await fs.readdir(paths.tasksDir);
      expect(names.filter((n) => !n.startsWith('.')).sort()).toEqual(tasks.map((t) => `${t}.json`).sort());
      const others = names.filter((n) => n.startsWith('.'));
      // No temp file left behind; the spares are bounded whatever the number of marks (60 here).
      expect(others.every((n) => /^\.spare\.\d+\.[0-9a-f]{12}\.tmp$/.test(n))).toBe(true);
      expect(others.length).toBeLessThanOrEqual(SPARES_KEPT);
    } finally {
      await engine.stop();
    }
  });
});
