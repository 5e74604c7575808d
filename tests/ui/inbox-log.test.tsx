import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TEMPLATE_HEADER, renderEntry } from '../../src/agentlog/index.js';
import { metrics } from '../agentlog/metrics.js';
import { HANDOFF_BODY, KEY, drop, openUi } from './helpers.js';

let ui: Awaited<ReturnType<typeof openUi>> | undefined;
afterEach(async () => {
  await ui?.close();
  ui = undefined;
});

describe('the inbox view', () => {
  it('lists new, processed and rejected messages, each rejection with its reason', async () => {
    ui = await openUi();
    await drop(ui.paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
    await fs.writeFile(path.join(ui.paths.inbox('backend-engineer').new, 'breaker--garbled.md'), '[PRIORITY: URGENT]\n[TYPE: BUG]\n[TO: builder]\n\nsomething\n');
    await ui.settle();
    await ui.press('2');
    const f = await ui.waitFor(/1 new · 1 rejected · 1 processed|0 new · 1 rejected · 1 processed/);
    expect(f).toMatch(/rejected\s+\d\d:\d\d:\d\d\s+breaker--garbled\.md\s+\S.*PRIORITY/);
    expect(f).toMatch(/processed\s+\d\d:\d\d:\d\d\s+analyst--\S+-handoff\.md/);
    // Rejected files come first: Enter opens the one under the cursor with its reason.
    await ui.press(KEY.enter);
    const opened = await ui.waitFor('REJECTED:');
    expect(opened).toContain('[PRIORITY: URGENT]');
    await ui.press(KEY.esc);
    await ui.waitFor('Inbox of backend-engineer');
  });
});

describe('the log view', () => {
  it('shows the entries, the adaptations in force with their reasons, and trends over tasks', async () => {
    ui = await openUi();
    const rejected = (date: string, id: string, cycles: number) => metrics({ date, taskId: id, task: `Task ${id}`, planApprovedFirstTry: false, planRevisions: 1, firstPassSuccess: cycles === 0, fixCycles: { count: cycles, fixed: [] } });
    const entries = [rejected('2026-11-20', 'a', 3), metrics({ date: '2026-11-21', taskId: 'b', task: 'Task b' }), rejected('2026-11-22', 'c', 1)];
    const file = path.join(ui.project, '.claude/memory/agent-logs/backend-engineer.md');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, TEMPLATE_HEADER + entries.map(renderEntry).join('\n'));
    await ui.press('3');
    const f = await ui.waitFor('Trends over 3 tasks');
    expect(f).toContain('3 entries');
    expect(f).toMatch(/Adaptations in force/);
    expect(f).toMatch(/• Include more detail in the plan/);
    expect(f).toMatch(/because .*2 of the last 3/);
    expect(f).toMatch(/fix cycles\s+█▁▃\s+3 0 1/);
    expect(f).toMatch(/first-pass\s+✗✓✗\s+33% of 3/);
    expect(f).toMatch(/plan 1st try\s+✗✓✗/);
    expect(f).toMatch(/› 2026-11-20\s+Task a \(a\)\s+3\s+✗/);
    await ui.press(KEY.down, KEY.enter);
    const entry = await ui.waitFor('2026-11-21 Task b');
    expect(entry).toContain('## 2026-11-21');
  });

  for (const size of [
    { columns: 80, rows: 24 },
    { columns: 60, rows: 15 },
  ]) {
    it(`draws the entries' table at ${size.columns}×${size.rows} with its header on one row and each entry's marks under it`, async () => {
      ui = await openUi({ size });
      const file = path.join(ui.project, '.claude/memory/agent-logs/backend-engineer.md');
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, TEMPLATE_HEADER + renderEntry(metrics({ date: '2026-11-21', taskId: 'signup-email', task: 'Add email verification to signup', fixCycles: { count: 2, fixed: [] } })));
      await ui.press('3');
      const f = await ui.waitFor('Trends over 1 task');
      const lines = f.split('\n');
      expect(lines.length).toBeLessThanOrEqual(size.rows);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(size.columns);
      const header = lines.find((l) => l.includes('DATE'))!;
      expect(header).toMatch(/DATE\s+TASK\s+FIX\s+1ST PASS\s+PLAN 1ST TRY\s*$/);
      const row = lines.find((l) => l.startsWith('› 2026-11-21'))!;
      // The marks stand under their columns.
      expect(row.indexOf('2', 14)).toBe(header.indexOf('FIX'));
      expect(row.trimEnd().at(-1)).toMatch(/[✓✗?]/);
      expect(row.trimEnd().length - 1).toBe(header.indexOf('PLAN 1ST TRY'));
    });
  }

  it('says where the log will be when there is none yet', async () => {
    ui = await openUi();
    await ui.press('3');
    await ui.waitFor(/none yet at .*backend-engineer\.md; the first finished task writes it/);
  });
});
