import { promises as fs } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTemp } from '../temp.js';
import { HANDOFF_BODY, KEY, drop, openUi } from './helpers.js';
import { runState } from './states.js';

let ui: Awaited<ReturnType<typeof openUi>> | undefined;
afterEach(async () => {
  await ui?.close();
  ui = undefined;
});

const handoff = (u: NonNullable<typeof ui>) => drop(u.paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });

describe('the run view', () => {
  it('shows the stepper, the sub-agents, the plan and the timeline of a run waiting for approval', async () => {
    ui = await openUi();
    await handoff(ui);
    await ui.settle();
    await ui.waitFor('t1');
    await ui.press(KEY.enter);
    const f = await ui.waitFor(/→ conductor\s+PLAN/);
    expect(f).toMatch(/✓ handoff {2}✓ read log {2}✓ plan {2}\S+ approval \d+s {2}· implement/);
    expect(f).toContain('Sub-agents');
    expect(f).toMatch(/· code-reviewer\s+not started/);
    expect(f).toMatch(/Plan \(\d+ lines, p shows it all/);
    expect(f).toMatch(/← analyst\s+HANDOFF\s+MEDIUM/);
    expect(f).toMatch(/→ conductor\s+PLAN\s+HIGH/);
    expect(f).toContain("waiting on the conductor's decision on the plan");
  });

  it('marks a reply that is not delivered yet as held, with why, at 80×24, and unmarks it once it goes out', async () => {
    ui = await openUi({ size: { columns: 80, rows: 24 } });
    // The conductor's new/ is a link when the PLAN is sent: the reply is held, naming it.
    const dir = ui.paths.inbox('conductor').new;
    await fs.rename(dir, `${dir}.aside`);
    await fs.symlink(await makeTemp('teamstate-outside-'), dir);
    await handoff(ui);
    await ui.settle();
    await ui.waitFor('t1');
    await ui.press(KEY.enter);
    const f = await ui.waitFor(/→ conductor\s+PLAN\s+HIGH\s+\[held\]/);
    // What it is and why, cut to the width (Enter opens it whole).
    expect(f).toMatch(/! PLAN to conductor held, not delivered yet: to conductor: inboxes\/conductor\/ne…/);
    // Every line fits the 80 columns and the frame its 24 rows.
    expect(f.split('\n').length).toBeLessThanOrEqual(24);
    for (const line of f.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    await ui.press(KEY.enter);
    const opened = await ui.waitFor('[TYPE: PLAN]');
    expect(opened).toContain('(held, not delivered yet)');
    // The view under the overlay does not show through its short lines.
    expect(opened).not.toContain('not started');
    // The reason whole, wrapped to the width.
    expect(opened.replace(/[│\s]+/g, ' ')).toContain('Held, not delivered yet: to conductor: inboxes/conductor/new is a symbolic link');
    await ui.press(KEY.esc);
    await ui.waitFor('Timeline');

    // Repaired: the retry delivers it, and the mark goes.
    await fs.rm(dir);
    await fs.rename(`${dir}.aside`, dir);
    await ui.engine.core.flushOutbox('t1');
    ui.store.flush();
    const sent = await ui.waitFor(/^(?![\s\S]*\[held\])[\s\S]*→ conductor\s+PLAN\s+HIGH/);
    expect(sent).not.toContain('not delivered yet');
  });

  it('opens the whole message under the cursor with Enter and closes it with Esc', async () => {
    ui = await openUi();
    await handoff(ui);
    await ui.settle();
    await ui.waitFor('t1');
    await ui.press(KEY.enter);
    await ui.waitFor(/→ conductor\s+PLAN/);
    // The cursor follows the newest entry: the PLAN sent to the conductor.
    await ui.press(KEY.enter);
    const f = await ui.waitFor('[TYPE: PLAN]');
    expect(f).toContain('[TO: conductor]');
    expect(f).toContain('[FROM: backend-engineer]');
    expect(f).toMatch(/PLAN to conductor at \d\d:\d\d:\d\d/);
    await ui.press(KEY.esc);
    const back = await ui.waitFor('Timeline');
    expect(back).not.toContain('[TYPE: PLAN]');
  });

  it('shows the sub-agents findings and the fix cycles once the run reaches verification', async () => {
    ui = await openUi({ conductor: 'person' });
    await handoff(ui);
    await ui.settle();
    await ui.waitFor('t1');
    await ui.press(KEY.enter);
    await ui.waitFor('you play the conductor: a approve');
    await ui.press('a');
    await ui.settle();
    const f = await ui.waitFor(/→ sentinel\s+HANDOFF/);
    expect(f).toMatch(/✓ sub-agents {2}✓ hand off {2}\S+ verify/);
    expect(f).toMatch(/✓ code-reviewer\s+0 blocking/);
    await drop(ui.paths, 'backend-engineer', { from: 'breaker', type: 'BUG', priority: 'HIGH', task: 't1', body: '## BUG-1: null email accepted' });
    await ui.settle();
    const g = await ui.waitFor(/→ sentinel\s+BUG_FIX/);
    expect(g).toMatch(/fix cycles 1\//);
    expect(g).toMatch(/← breaker\s+BUG\s+HIGH\s+## BUG-1: null email accepted/);
    expect(g).toMatch(/→ sentinel\s+BUG_FIX/);
  });
});

describe('errors in the run view', () => {
  it('shows a journal that cannot be read in the view instead of failing', async () => {
    ui = await openUi();
    ui.store.addHistory([runState('ghost', 'done', ['finished'])]);
    ui.store.flush();
    await ui.waitFor('ghost');
    await ui.press(KEY.enter);
    const f = await ui.waitFor(/Timeline \(0 events; Enter opens one; no run "ghost"/);
    expect(f).toContain('✓ handoff');
    await ui.press(KEY.enter, 'p');
    await ui.waitFor('(no plan yet)');
  });
});
