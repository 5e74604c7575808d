import { afterEach, describe, expect, it } from 'vitest';
import { HANDOFF_BODY, KEY, drop, openUi } from './helpers.js';

let ui: Awaited<ReturnType<typeof openUi>> | undefined;
afterEach(async () => {
  await ui?.close();
  ui = undefined;
});

describe('the runs view', () => {
  it('lists every run with its task, state, what it waits on, fix cycles and last message', async () => {
    ui = await openUi();
    await ui.waitFor('No runs yet');
    await drop(ui.paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
    await ui.settle();
    const f = await ui.waitFor('t1');
    expect(f).toContain('awaitingApproval.waiting');
    expect(f).toContain("the conductor's decision");
    expect(f).toMatch(/→ PLAN conductor/);
    expect(f).toContain('1 runs');
  });
});
