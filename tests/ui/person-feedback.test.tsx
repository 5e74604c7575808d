import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPORT_FORMATS } from '../../src/handlers/reports.js';
import { fitKeys } from '../../src/ui/components/Footer.js';
import { keysFor } from '../../src/ui/keys.js';
import { HANDOFF_BODY, KEY, drop, openUi } from './helpers.js';

let ui: Awaited<ReturnType<typeof openUi>> | undefined;
afterEach(async () => {
  await ui?.close();
  ui = undefined;
});

const handoff = (u: NonNullable<typeof ui>, task = 't1') => drop(u.paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task, body: HANDOFF_BODY });

describe('what the UI tells a person', () => {
  it('refuses a, r and x on a finished run at once instead of reporting a success', async () => {
    ui = await openUi();
    await handoff(ui);
    await ui.settle();
    await ui.engine.cancel('t1', 'withdrawn');
    await ui.settle();
    await ui.waitFor(/t1\s+user signup\s+cancelled/);
    for (const key of ['a', 'r', 'x']) {
      await ui.press(key);
      const f = await ui.waitFor('✗ run t1 has finished; there is nothing to approve');
      expect(f).not.toMatch(/Reject the plan|Cancel run t1\?|✓/);
    }
    // The engine refuses them too, from any caller.
    await expect(ui.engine.decide('t1', true, '')).rejects.toThrow(/run t1 has finished \(cancelled\)/);
    await expect(ui.engine.cancel('t1', 'again')).rejects.toThrow(/run t1 has finished/);
  });

  it('counts a run waiting on a manual step as waiting on a person, and shows its stage blocked', async () => {
    ui = await openUi({ conductor: 'person', edit: (c) => (c.steps = { ...(c.steps as object), implement: { kind: 'manual' } }) });
    await handoff(ui);
    await ui.settle();
    await ui.engine.decide('t1', true, '');
    await ui.settle();
    const runs = await ui.waitFor('a person: the manual step implement');
    expect(runs).toContain('1 waiting on a person or the conductor');
    await ui.press(KEY.enter);
    const run = await ui.waitFor('manual step implement waits for you');
    expect(run).toMatch(/! implement/);
  });

  it('asks for a sub-agent report in its format, refuses one it cannot read, and takes \\n as a new line', async () => {
    ui = await openUi({ conductor: 'person', edit: (c) => (c.steps = { ...(c.steps as object), 'test-generator': { kind: 'manual' } }) });
    await handoff(ui);
    await ui.settle();
    await ui.engine.decide('t1', true, '');
    await ui.settle();
    await ui.waitFor('a person: the manual step test-generator');
    await ui.press(KEY.enter);
    await ui.waitFor('manual step test-generator waits for you');
    await ui.press('d');
    await ui.waitFor('Mark test-generator of t1 done: its report, a Test Generation Report');
    await ui.press('looks fine to me', KEY.enter);
    await ui.waitFor('✗ the test-generator report was not understood');
    expect(ui.engine.run('t1')!.steps['test-generator']).toBeDefined();
    await ui.press('d');
    await ui.waitFor('Mark test-generator of t1 done');
    await ui.press('Tests written: 3\\nFailing: 0', KEY.enter);
    await ui.waitFor('✓ t1: test-generator marked done');
    await ui.settle();
    const sub = (ui.engine.run('t1')!.snapshot.context as { subagents: Record<string, { summary: string }> }).subagents['test-generator'];
    expect(sub?.summary).toBe('3 tests written, 0 failing (0 blocking)');
    expect(REPORT_FORMATS['test-generator']).toMatch(/Tests written: N/);
  });

  it('keeps help and quit in the footer at 80 and 60 columns', () => {
    for (const width of [80, 60]) {
      for (const view of ['runs', 'run', 'inbox', 'log'] as const) {
        const shown = fitKeys(keysFor({ view, runId: 'r' } as never), width).map((k) => k.key);
        expect(shown).toEqual(expect.arrayContaining(['?', 'q']));
        const text = fitKeys(keysFor({ view, runId: 'r' } as never), width).map((k) => `${k.key} ${k.does}`).join('  ');
        expect(text.length).toBeLessThanOrEqual(width);
      }
    }
  });

  it('warns in the header when the project is not one the person chose', async () => {
    ui = await openUi({ noProject: true });
    await ui.waitFor("! project: none set in teamstate.json, so the steps work in the workspace's own folder");
    expect(ui.engine.project).toEqual({ dir: path.join(ui.paths.root, 'project'), configured: false });
    expect((await fs.stat(path.join(ui.paths.root, 'project'))).isDirectory()).toBe(true);
  });

  it('lists the newest rejection first and requeues a fixed one with u', async () => {
    ui = await openUi();
    const inbox = ui.paths.inbox('backend-engineer');
    await fs.writeFile(path.join(inbox.new, 'analyst--old.md'), 'not a message');
    await ui.settle();
    await new Promise((r) => setTimeout(r, 20));
    await fs.writeFile(path.join(inbox.new, 'analyst--new.md'), '[TYPE: HANDOFF]\n[PRIORITY: HIGH]\n[TO: builder]\n[TASK: t9]\n');
    await ui.settle();
    await ui.press('2');
    const f = await ui.waitFor('2 rejected');
    expect(f.indexOf('analyst--new.md')).toBeLessThan(f.indexOf('analyst--old.md'));
    expect(f).toContain('a HANDOFF needs a body');
    // Still wrong: refused, and kept.
    await ui.press('u');
    await ui.waitFor('✗ analyst--new.md is still not valid: a HANDOFF needs a body');
    await fs.writeFile(path.join(inbox.rejected, 'analyst--new.md'), `[TYPE: HANDOFF]\n[PRIORITY: HIGH]\n[TO: builder]\n[TASK: t9]\n\n${HANDOFF_BODY}\n`);
    await ui.press('u');
    await ui.waitFor('✓ analyst--new.md requeued into the inbox');
    await ui.settle();
    expect(ui.engine.run('t9')).toBeDefined();
    expect(await fs.readdir(inbox.rejected)).toEqual(expect.not.arrayContaining(['analyst--new.md', 'analyst--new.md.reason.txt']));
  });
});

describe('the UI in a small terminal', () => {
  for (const size of [
    { columns: 80, rows: 24 },
    { columns: 60, rows: 15 },
  ]) {
    it(`draws the runs and a run at ${size.columns}×${size.rows} with every line in its own row and the keys to get help and quit`, async () => {
      ui = await openUi({ size });
      await handoff(ui, 'signup-email');
      await ui.settle();
      const runs = await ui.waitFor('› signup');
      const header = runs.split('\n').find((l) => l.includes('RUN'))!;
      expect(header).toMatch(/RUN\s+TASK\s+STATE\s+WAITS ON\s+SINCE/);
      await ui.press(KEY.enter);
      const f = await ui.waitFor('Timeline (');
      const lines = f.split('\n');
      expect(lines.length).toBeLessThanOrEqual(size.rows);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(size.columns);
      expect(lines.some((l) => l.startsWith('signup-email user signup'))).toBe(true);
      // The timeline's header stands alone on its line: nothing drawn over it.
      expect(lines.find((l) => l.startsWith('Timeline ('))).toMatch(/^Timeline \(\d+ events; Enter opens one\)\s*$/);
      expect(lines.at(-1)).toMatch(/\? help\s+q quit/);
    });

    it(`shows a refusal and the project warning whole at ${size.columns}×${size.rows}, each on rows of its own`, async () => {
      ui = await openUi({ size, noProject: true });
      await handoff(ui, 'signup-email');
      await ui.settle();
      await ui.press(KEY.enter);
      await ui.waitFor('Timeline (');
      await ui.press('a');
      const f = await ui.waitFor('✗ the conductor member decides on plans');
      const lines = f.split('\n');
      expect(lines.length).toBeLessThanOrEqual(size.rows);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(size.columns);
      expect(lines[0]).toMatch(/^teamstate · backend-engineer/);
      const joined = (from: RegExp) => {
        const i = lines.findIndex((l) => from.test(l));
        return `${lines[i]!.trimEnd()} ${lines[i + 1]!.trim()}`;
      };
      expect(joined(/^! project:/)).toContain('set "project" to your repository');
      expect(joined(/^✗ the conductor member/)).toContain('set "conductor": "person" in teamstate.json to decide here');
      expect(lines.at(-1)).toMatch(/\? help\s+q quit/);
    });

    it(`draws a prompt whose question takes several lines at ${size.columns}×${size.rows} whole, below the header, with nothing drawn over it`, async () => {
      ui = await openUi({ size, conductor: 'person', edit: (c) => (c.steps = { ...(c.steps as object), 'test-generator': { kind: 'manual' } }) });
      await handoff(ui, 'signup-email');
      await ui.settle();
      await ui.engine.decide('signup-email', true, '');
      await ui.settle();
      await ui.press(KEY.enter);
      await ui.waitFor('waiting on a person: the manual step test-generator');
      await ui.press('d');
      const f = await ui.waitFor('Mark test-generator of signup-email done');
      const lines = f.split('\n');
      expect(lines.length).toBeLessThanOrEqual(size.rows);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(size.columns);
      expect(lines[0]).toMatch(/^teamstate · backend-engineer/);
      // The question, its hint and the input line, each in its own row inside the box.
      const inside = lines.filter((l) => l.startsWith('│')).map((l) => l.slice(1, -1).trim());
      expect(inside.join(' ')).toContain('or @path of a file');
      expect(inside).toContain('Enter confirms; Esc backs out');
      expect(inside.some((l) => l.startsWith('›'))).toBe(true);
      expect(lines.find((l) => l.startsWith('╰'))).toMatch(/^╰─+╯$/);
      expect(lines.at(-1)).toMatch(/Enter confirm\s+Esc back out/);
    });
  }
});
