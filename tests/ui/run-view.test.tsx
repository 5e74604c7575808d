import { afterEach, describe, expect, it } from 'vitest';
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
