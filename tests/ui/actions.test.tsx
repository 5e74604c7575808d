import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stateLabel } from '../../src/engine/apply.js';
import { HANDOFF_BODY, KEY, drop, openUi } from './helpers.js';

let ui: Awaited<ReturnType<typeof openUi>> | undefined;
afterEach(async () => {
  await ui?.close();
  ui = undefined;
});

const handoff = (u: NonNullable<typeof ui>, task = 't1') => drop(u.paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task, body: HANDOFF_BODY });
const label = (u: NonNullable<typeof ui>, id = 't1') => stateLabel(u.engine.run(id)?.snapshot.value ?? 'no run');

/**
 * Settles until the run is in `want` (generous): `settle()` gives up after a bounded number
 * of scans, which a busy machine can use up while the steps' code is still loading, and a
 * key pressed then meets the run in another state.
 */
async function reaches(u: NonNullable<typeof ui>, want: string, id = 't1'): Promise<void> {
  for (let i = 0; i < 400 && label(u, id) !== want; i++) {
    await u.settle();
    await new Promise((r) => setTimeout(r, 25));
  }
  expect(label(u, id)).toBe(want);
}

describe('actions from the keyboard', () => {
  it('rejects a plan with feedback, then approves the revision, when a person plays the conductor', async () => {
    ui = await openUi({ conductor: 'person' });
    await handoff(ui);
    await ui.settle();
    await ui.waitFor('t1');
    await ui.press('r');
    await ui.waitFor('Reject the plan of t1');
    await ui.press('name the migration', KEY.enter);
    await ui.waitFor('✓ t1: plan rejected');
    await reaches(ui, 'awaitingApproval.waiting');
    const ctx = ui.engine.run('t1')!.snapshot.context as { rejections: string[]; revision: number };
    expect(ctx.rejections).toEqual(['name the migration']);
    expect(ctx.revision).toBe(1);
    expect(label(ui)).toBe('awaitingApproval.waiting');
    await ui.press('a');
    await ui.waitFor('✓ t1: plan approved');
    await reaches(ui, 'verifying');
  });

  it('shows the engine refusing an approval when the conductor member decides, and keeps running', async () => {
    ui = await openUi({ conductor: 'member' });
    await handoff(ui);
    await ui.settle();
    await ui.waitFor('t1');
    await ui.press('a');
    const f = await ui.waitFor('✗ the conductor member decides on plans in this workspace');
    expect(f).toContain('"conductor": "person"');
    expect(label(ui)).toBe('awaitingApproval.waiting');
    await ui.press(KEY.down, KEY.enter);
    await ui.waitFor('› run t1');
  });

  it('lets a person decide on a run escalated to them, and marks messages that need their eyes', async () => {
    ui = await openUi({ conductor: 'member', edit: (c) => (c.limits = { planRevisions: 0 }) });
    await handoff(ui);
    await ui.settle();
    await drop(ui.paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'REJECTED: too broad' });
    await drop(ui.paths, 'backend-engineer', { from: 'analyst', type: 'WARNING', priority: 'HIGH', task: 't1', body: 'the users table is being migrated' });
    await ui.settle();
    const f = await ui.waitFor(/t1\s+user signup\s+escalated\s+!1 a person: the plan was rejected/);
    expect(f).toMatch(/› t1/);
    await ui.press(KEY.enter);
    await ui.waitFor('you play the conductor: a approve, r reject');
    expect(ui.frame()).toContain('! WARNING from analyst: the users table is being migrated');
    await ui.press('a');
    await ui.waitFor('✓ t1: plan approved');
    await reaches(ui, 'verifying');
  });

  it('backs out of a prompt with Esc without acting', async () => {
    ui = await openUi({ conductor: 'person' });
    await handoff(ui);
    // Each step waits on what it needs, not on time: the run where the test wants it, the
    // prompt drawn, the typed text in it, then the prompt gone.
    await reaches(ui, 'awaitingApproval.waiting');
    await ui.waitFor(/› t1/);
    await ui.press('x');
    await ui.waitFor('Cancel run t1?');
    await ui.press('no');
    await ui.waitFor(/Cancel run t1\?[\s\S]*› no/);
    await ui.press(KEY.esc);
    // The prompt closes once Ink has told the Esc from the start of an escape sequence.
    await ui.waitFor(/^(?![\s\S]*Cancel run t1\?)[\s\S]*› t1/);
    expect(label(ui)).toBe('awaitingApproval.waiting');
    expect(ui.engine.run('t1')!.snapshot.status).toBe('active');
  });

  it('cancels a run with a reason', async () => {
    ui = await openUi();
    await handoff(ui);
    await ui.settle();
    await ui.waitFor('t1');
    await ui.press('x');
    await ui.waitFor('Cancel run t1?');
    // Typed fast, the reason and its Enter come in one read.
    await ui.press('task withdrawn\r');
    await ui.waitFor('✓ t1: cancelled');
    await ui.settle();
    const f = await ui.waitFor(/t1\s+user signup\s+cancelled/);
    expect(f).toContain('0 finished'.replace('0', '1'));
    expect((ui.engine.run('t1')!.snapshot.context as { cancelReason: string }).cancelReason).toBe('task withdrawn');
  });

  it('completes a manual step with its output and fails another with a reason', async () => {
    ui = await openUi({ conductor: 'person', edit: (c) => (c.steps = { ...(c.steps as object), implement: { kind: 'manual' }, fix: { kind: 'manual' } }) });
    await handoff(ui);
    await ui.settle();
    await ui.engine.decide('t1', true, '');
    await ui.settle();
    await ui.waitFor(/t1\s+user signup\s+implementing/);
    await ui.press(KEY.enter);
    await ui.waitFor('manual step implement waits for you');
    const out = path.join(ui.project, 'impl.md');
    await fs.writeFile(out, 'Implemented the signup.\n\nFiles:\n- app/models/User.py\n');
    await ui.press('d');
    await ui.waitFor('Mark implement of t1 done');
    await ui.press(`@${out}`, KEY.enter);
    await ui.waitFor('✓ t1: implement marked done');
    await ui.settle();
    await ui.waitFor(/waiting on sentinel's PASS\/FAIL/);
    expect((ui.engine.run('t1')!.snapshot.context as { files: string[] }).files).toContain('app/models/User.py');

    await drop(ui.paths, 'backend-engineer', { from: 'breaker', type: 'BUG', priority: 'HIGH', task: 't1', body: '## BUG-1: null email' });
    await ui.settle();
    await ui.waitFor('manual step fix waits for you');
    await ui.press('f');
    await ui.waitFor('Mark fix of t1 failed');
    await ui.press('cannot reproduce', KEY.enter);
    await ui.waitFor('✓ t1: fix marked failed');
    await ui.settle();
    const f = await ui.waitFor('fix is stuck: t retry');
    expect(f).toContain('waiting on a person: cannot reproduce');

    await ui.press('t');
    await ui.waitFor('✓ t1: fix retried');
    await ui.settle();
    await ui.waitFor('manual step fix waits for you');
  });

  it('says so when there is no step to mark done', async () => {
    ui = await openUi();
    await handoff(ui);
    await ui.settle();
    await ui.waitFor('t1');
    await ui.press('d');
    await ui.waitFor('✗ run t1 has no manual step waiting and no stuck step');
  });
});
