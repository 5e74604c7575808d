import { describe, expect, it } from 'vitest';
import { explainOutOfPlace } from '../../machines/backend-engineer/entry.js';
import { stateLabel } from '../../src/engine/apply.js';
import type { Ev, Snap } from './helpers.js';
import * as h from './helpers.js';

/**
 * Who may say what, what a message in the wrong place does (nothing, with a reason the
 * user sees), and the tags the UI renders from.
 */

/** The run's resting states, each reached by the events a real run would see. */
const STATES: Record<string, () => Snap> = {
  idle: () => h.start(),
  readingLog: () => h.run(h.start(), h.handoff()).snap,
  planning: () => h.run(h.start(), h.handoff(), h.logRead()).snap,
  awaitingApproval: () => h.toApproval(),
  overdue: () => h.run(h.toApproval(), { type: h.ESCALATE }).snap,
  implementing: () => h.run(h.toApproval(), h.decision(true)).snap,
  subDelegating: () => h.run(h.toApproval(), h.decision(true), h.done('implement', h.ok('built'))).snap,
  stuck: () => h.run(h.toApproval(), h.decision(true), h.done('implement', h.failed)).snap,
  verifying: () => h.toVerifying(),
  fixing: () => h.run(h.toVerifying(), h.bug()).snap,
  escalated: () => h.run(h.toApproval(), h.decision(false), h.done('plan', h.planDone(true)), h.done('plan-check', h.ok('fits')), h.decision(false)).snap,
  logging: () => h.run(h.toVerifying(), h.msg('PASS', 'sentinel')).snap,
  done: () => h.run(h.toVerifying(), h.msg('PASS', 'sentinel'), h.done('write-log', { entry: 'x' })).snap,
  cancelled: () => h.run(h.toVerifying(), h.msg('CANCEL', 'conductor')).snap,
};

/** Asserts that `e` changes nothing in `s`, and returns the reason the user is shown. */
function outOfPlace(s: Snap, e: Ev): string {
  // As the engine decides it (src/engine/apply.ts): a run that has ended takes nothing,
  // even an event its root still lists.
  if (s.status !== 'active') return explainOutOfPlace(stateLabel(s.value), s.status, e);
  expect(s.can(e as never)).toBe(false);
  const { next, sent } = h.step(s, e);
  expect(next.value).toEqual(s.value);
  expect(next.context).toEqual(s.context);
  expect(sent).toEqual([]);
  return explainOutOfPlace(stateLabel(s.value), s.status, e);
}

describe('who may say what', () => {
  it.each([
    ['HANDOFF', 'idle', 'analyst'],
    ['PLAN_DECISION', 'awaitingApproval', 'conductor'],
    ['PLAN_DECISION', 'escalated', 'conductor'],
    ['CANCEL', 'fixing', 'conductor'],
    ['PASS', 'verifying', 'sentinel'],
    ['FAIL', 'verifying', 'sentinel'],
    ['BUG', 'verifying', 'breaker'],
    ['CLEAR', 'verifying', 'breaker'],
    ['BUG', 'fixing', 'breaker'],
  ])('accepts %s in %s only from the %s', (type, state, allowed) => {
    const s = STATES[state]!();
    const make = (from: string): Ev =>
      type === 'HANDOFF' ? h.handoff(from) : type === 'PLAN_DECISION' ? h.decision(true, from) : type === 'BUG' ? h.bug(from) : h.msg(type, from);
    expect(h.MEMBERS.filter((m) => s.can(make(m) as never))).toEqual([allowed]);
  });

  it.each([
    ['an approval from breaker', 'awaitingApproval', h.decision(true, 'breaker'), 'a plan decision is only accepted from conductor, not from breaker'],
    ['a rejection from the analyst', 'awaitingApproval', h.decision(false, 'analyst'), 'a plan decision is only accepted from conductor, not from analyst'],
    ['PASS from breaker', 'verifying', h.msg('PASS', 'breaker'), 'PASS is only accepted from sentinel, not from breaker'],
    ['FAIL from breaker', 'verifying', h.fail('breaker'), 'FAIL is only accepted from sentinel, not from breaker'],
    ['BUG from sentinel', 'verifying', h.bug('sentinel'), 'BUG is only accepted from breaker, not from sentinel'],
    ['CLEAR from sentinel', 'verifying', h.msg('CLEAR', 'sentinel'), 'CLEAR is only accepted from breaker, not from sentinel'],
    ['HANDOFF from conductor', 'idle', h.handoff('conductor'), 'HANDOFF is only accepted from analyst, not from conductor'],
    ['CANCEL from breaker', 'fixing', h.msg('CANCEL', 'breaker'), 'CANCEL is only accepted from conductor, not from breaker'],
    ['an escalation answer from librarian', 'escalated', h.decision(true, 'librarian'), 'a plan decision is only accepted from conductor, not from librarian'],
  ])('ignores %s in %s and names who may send it', (_what, state, e, reason) => {
    expect(outOfPlace(STATES[state]!(), e)).toBe(reason);
  });

  it.each([
    ['an approval while implementing', 'implementing', h.decision(true), /^a plan decision from conductor has no place while implementing/],
    ['an approval while verifying', 'verifying', h.decision(true), /^a plan decision from conductor has no place while verifying \(waiting for sentinel's PASS\/FAIL/],
    ['PASS while idle', 'idle', h.msg('PASS', 'sentinel'), /^PASS from sentinel has no place while idle \(waiting for the analyst's HANDOFF\)/],
    ['a second HANDOFF while planning', 'planning', h.handoff(), /^HANDOFF from analyst has no place while planning/],
    ['PASS while fixing', 'fixing', h.msg('PASS', 'sentinel'), /^PASS from sentinel has no place while fixing/],
    ['BUG while sub-delegating', 'subDelegating', h.bug(), /^BUG from breaker has no place while subDelegating \(waiting for the sub-agents' reports\)/],
    ['an approval after the run is done', 'done', h.decision(true), /^the run has ended \(done\); a plan decision changes nothing$/],
    ['CANCEL after the run is cancelled', 'cancelled', h.msg('CANCEL', 'conductor'), /^the run has ended \(cancelled\)/],
  ])('ignores %s and says it has no place there', (_what, state, e, reason) => {
    expect(outOfPlace(STATES[state]!(), e)).toMatch(reason);
  });

  it('starts the run on the analyst HANDOFF, keeping its landmines and marking the task in progress', () => {
    const { next, actions } = h.step(h.start(), h.handoff());
    expect(next.value).toBe('readingLog');
    expect(next.context.landmines).toBe(1);
    expect(next.context.handoff).toContain('[LANDMINE]');
    expect(actions.map((a) => a.params?.event)).toContainEqual({ type: 'task', status: 'in_progress' });
  });

  it.each(['verifying', 'fixing'])("takes breaker's CLEAR while %s as accepted, not out of place, and stays", (state) => {
    const s = STATES[state]!();
    expect(s.can(h.msg('CLEAR', 'breaker') as never)).toBe(true);
    const { next, sent } = h.step(s, h.msg('CLEAR', 'breaker'));
    expect(next.value).toEqual(s.value);
    expect(next.context.breakerCleared).toBe(true);
    expect(sent).toEqual([]);
  });

  it('cancels from any active state on the conductor CANCEL and tells the conductor', () => {
    for (const name of ['idle', 'planning', 'awaitingApproval', 'subDelegating', 'stuck', 'fixing', 'escalated', 'logging']) {
      const { snap, sent } = h.run(STATES[name]!(), h.msg('CANCEL', 'conductor', { body: 'priorities changed\nmore' }));
      expect(snap.value, name).toBe('cancelled');
      expect(snap.status).toBe('done');
      expect(sent).toEqual([expect.objectContaining({ to: ['conductor'], type: 'STATUS', body: '## Cancelled: Add signup\npriorities changed' })]);
    }
  });

  it('keeps a NOTICE for the user in every active state without moving', () => {
    for (const [name, make] of Object.entries(STATES)) {
      const s = make();
      if (s.status !== 'active') continue;
      const { next } = h.step(s, h.notice('librarian'));
      expect(next.value, name).toEqual(s.value);
      expect(next.context.notices.at(-1)).toMatchObject({ type: 'WARNING', from: 'librarian', firstLine: 'WARNING: disk nearly full', attention: true });
    }
  });
});

describe('tags for the UI', () => {
  it.each([
    ['idle', ['waiting-on-analyst']],
    ['readingLog', ['working']],
    ['planning', ['working']],
    ['awaitingApproval', ['waiting-on-conductor']],
    ['overdue', ['waiting-on-person']],
    ['implementing', ['working']],
    ['subDelegating', ['working']],
    ['stuck', ['waiting-on-person']],
    ['verifying', ['waiting-on-verification']],
    ['fixing', ['working']],
    ['escalated', ['waiting-on-conductor', 'waiting-on-person']],
    ['logging', ['working']],
    ['done', ['finished']],
    ['cancelled', ['finished']],
  ])('tags %s as %j', (state, tags) => {
    expect([...STATES[state]!().tags].sort()).toEqual(tags);
  });
});
