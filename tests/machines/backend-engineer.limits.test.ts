import { describe, expect, it } from 'vitest';
import type { Snap } from './helpers.js';
import * as h from './helpers.js';

/** The limits from the config: plan revisions, fix cycles, the approval wait. */

/** Rejects the plan under review, then drafts and checks the next revision. */
const rejectAndRedraft = (s: Snap) => h.run(s, h.decision(false), h.done('plan', h.planDone(true)), h.done('plan-check', h.ok('fits'))).snap;

describe('plan revisions', () => {
  it('sends the plan back to planning on a rejection, with the feedback for the next draft', () => {
    const { next, actions } = h.step(h.toApproval(), h.decision(false, 'conductor', 'split the service'));
    expect(next.value).toEqual({ planning: { drafting: 'running' } });
    const draft = actions.find((a) => a.type === 'xstate.spawnChild' && a.params?.id === 'plan');
    expect(draft?.params?.input).toMatchObject({ revision: 1, rejections: ['split the service'] });
    // The approval timers of the rejected plan are cancelled.
    expect(actions.filter((a) => a.type === 'xstate.cancel').map((a) => a.params?.sendId)).toEqual(expect.arrayContaining([h.REMINDER, h.ESCALATE]));
  });

  it.each([0, 1, 3])('escalates to the conductor at CRITICAL on the rejection after planRevisions = %i revisions', (planRevisions) => {
    let s = h.toApproval(h.runInput({ planRevisions }));
    for (let i = 0; i < planRevisions; i++) s = rejectAndRedraft(s);
    expect(s.value).toEqual({ awaitingApproval: 'waiting' });
    const { snap, sent } = h.run(s, h.decision(false, 'conductor', 'still wrong'));
    expect(snap.value).toBe('escalated');
    expect(snap.context.escalation?.kind).toBe('plan');
    expect(snap.context.rejections).toHaveLength(planRevisions + 1);
    expect(sent).toEqual([
      expect.objectContaining({ to: ['conductor'], type: 'REQUEST', priority: 'CRITICAL', body: `## Needs your decision: Add signup\nthe plan was rejected ${planRevisions + 1} times (limit ${planRevisions} revisions)` }),
    ]);
  });

  it('goes on to implementing when the conductor approves the escalated plan, not counting it as a first-try approval', () => {
    const escalated = h.run(rejectAndRedraft(h.toApproval()), h.decision(false)).snap;
    const { snap } = h.run(escalated, h.decision(true));
    expect(snap.value).toEqual({ implementing: { working: 'running' } });
    expect(snap.context.planApprovedFirstTry).toBe(false);
    expect(snap.context.escalation).toBeUndefined();
  });

  it('ends the run when the conductor rejects at the escalation, and says why', () => {
    const escalated = h.run(rejectAndRedraft(h.toApproval()), h.decision(false)).snap;
    const { snap, sent } = h.run(escalated, h.decision(false, 'conductor', 'drop it'));
    expect(snap.value).toBe('cancelled');
    expect(sent.map((m) => m.body)).toEqual(['## Cancelled: Add signup\nrejected: drop it']);
  });
});

describe('fix cycles', () => {
  it.each([
    ['BUG', () => h.bug('breaker', 'BUG-1: null email crashes signup'), 'BUG-1: null email crashes signup (BUG from breaker)'],
    ['FAIL', () => h.fail('sentinel'), 'FAIL: 2 tests (FAIL from sentinel)'],
  ])('fixes a %s, then asks sentinel to re-verify with a BUG_FIX that replies to it', (_type, make, title) => {
    const issue = make();
    const fixing = h.step(h.toVerifying(), issue);
    expect(fixing.next.value).toEqual({ fixing: { fixing: 'running' } });
    expect(fixing.actions.find((a) => a.params?.id === 'fix')?.params?.input).toMatchObject({ issue: { type: issue.type, from: issue.from, body: issue.body } });
    const { snap, sent } = h.run(fixing.next, h.done('fix', h.ok('fixed', { files: ['app/models/User.py'] })));
    expect(snap.value).toBe('verifying');
    expect(snap.context.fixCycles).toBe(1);
    expect(sent).toEqual([expect.objectContaining({ to: ['sentinel'], type: 'BUG_FIX', priority: 'HIGH', replyTo: issue.messageId, action: 'Re-verify' })]);
    expect(sent[0]!.body).toContain(`## Fixed: ${title}`);
  });

  it.each(['BUG', 'FAIL'])('escalates to the conductor at CRITICAL when a %s comes after fixCycles fixes', (type) => {
    const fixed = h.run(h.toVerifying(), h.bug(), h.done('fix', h.ok('fixed'))).snap;
    const second = type === 'BUG' ? h.bug('breaker', 'BUG-2: duplicate email accepted') : h.fail();
    const { snap, sent } = h.run(fixed, second);
    expect(snap.value).toBe('escalated');
    expect(snap.context.escalation).toEqual({ kind: 'fix', reason: '1 fix cycles used (limit 1)' });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: ['conductor'], type: 'REQUEST', priority: 'CRITICAL' });
    expect(sent[0]!.body).toContain('## Fix cycles exhausted: Add signup');
    expect(sent[0]!.body).toContain('- Fixed: BUG-1: null email crashes signup (breaker)');
  });

  it('resumes fixing the open issue when the conductor approves more fix cycles', () => {
    const fixed = h.run(h.toVerifying(), h.bug(), h.done('fix', h.ok('fixed'))).snap;
    const escalated = h.run(fixed, h.bug('breaker', 'BUG-2: duplicate email accepted')).snap;
    const { next, actions } = h.step(escalated, h.decision(true));
    expect(next.value).toEqual({ fixing: { fixing: 'running' } });
    expect(next.context.current?.body).toMatch(/^## BUG-2/);
    expect(next.context.limits.fixCycles).toBe(2);
    expect(actions.some((a) => a.type === 'xstate.spawnChild' && a.params?.id === 'fix')).toBe(true);
    // The granted cycle is used, then the next BUG escalates again.
    const again = h.run(next, h.done('fix', h.ok('fixed')), h.bug('breaker', 'BUG-3')).snap;
    expect(again.value).toBe('escalated');
  });

  it('counts a BUG that arrives during a fix against the same limit, escalating instead of fixing past it', () => {
    const fixing = h.run(h.toVerifying(), h.bug()).snap;
    const queued = h.run(fixing, h.bug('breaker', 'BUG-2: duplicate email accepted')).snap;
    expect(queued.value).toEqual({ fixing: { fixing: 'running' } });
    expect(queued.context.issues).toHaveLength(1);
    const { snap, sent } = h.run(queued, h.done('fix', h.ok('fixed')));
    expect(snap.value).toBe('escalated');
    expect(snap.context.fixCycles).toBe(1);
    expect(sent.map((m) => [m.type, m.priority])).toEqual([
      ['BUG_FIX', 'HIGH'],
      ['REQUEST', 'CRITICAL'],
    ]);
  });

  it('fixes a BUG queued during a fix in turn while cycles are left', () => {
    const queued = h.run(h.toVerifying(h.runInput({ fixCycles: 2 })), h.bug(), h.bug('breaker', 'BUG-2: duplicate email accepted')).snap;
    const { snap } = h.run(queued, h.done('fix', h.ok('fixed')));
    expect(snap.value).toEqual({ fixing: { fixing: 'running' } });
    expect(snap.context.current?.body).toMatch(/^## BUG-2/);
    expect(h.run(snap, h.done('fix', h.ok('fixed'))).snap.value).toBe('verifying');
  });
});

describe('the approval wait', () => {
  it('arms the reminder and the escalation with the delays from the config', () => {
    const before = h.run(h.start(h.runInput({ approvalReminderMs: 5_000, approvalEscalateMs: 9_000 })), h.handoff(), h.logRead(), h.done('plan', h.planDone(false))).snap;
    const { actions } = h.step(before, h.done('plan-check', h.ok('fits')));
    const timers = actions.filter((a) => a.type === 'xstate.raise').map((a) => [a.params?.id, a.params?.delay]);
    expect(timers).toEqual([
      [h.REMINDER, 5_000],
      [h.ESCALATE, 9_000],
    ]);
  });

  it('reminds the conductor with a REQUEST and keeps waiting', () => {
    const { next, sent } = h.step(h.toApproval(), { type: h.REMINDER });
    expect(next.value).toEqual({ awaitingApproval: 'waiting' });
    expect(sent).toEqual([expect.objectContaining({ to: ['conductor'], type: 'REQUEST', priority: 'HIGH' })]);
    expect(sent[0]!.body).toContain('is waiting for your decision');
  });

  it('waits on a person after the escalation delay, with a WARNING, and still takes the conductor decision', () => {
    const { next, sent } = h.step(h.toApproval(), { type: h.ESCALATE });
    expect(next.value).toEqual({ awaitingApproval: 'overdue' });
    expect(next.hasTag('waiting-on-person')).toBe(true);
    expect(sent).toEqual([expect.objectContaining({ to: ['conductor'], type: 'WARNING', priority: 'HIGH' })]);
    expect(sent[0]!.body).toContain('waiting on a person');
    expect(h.step(next, h.decision(true)).next.value).toEqual({ implementing: { working: 'running' } });
  });
});
