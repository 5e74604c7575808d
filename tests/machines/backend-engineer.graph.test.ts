import { describe, expect, it } from 'vitest';
import { allStateNodes, allTransitions, explore } from './graph.js';
import * as h from './helpers.js';

/**
 * Transitions no event sequence can take, each with the reason. Kept as a list so a
 * new unreachable transition fails the test instead of hiding behind a loose check.
 */
const UNREACHABLE: Record<string, string> = {
  // An escalation for fix cycles always queues the issue that ran out of cycles, so
  // resuming always finds one; the fallback keeps a hand-edited snapshot safe.
  'backend-engineer.resumeFixing --always[1]--> backend-engineer.verifying': 'defensive fallback',
};

describe('the backend-engineer machine, walked with xstate/graph', () => {
  it('reaches every state node the machine defines', () => {
    const { reached } = explore();
    const ids = allStateNodes().map((n) => n.id);
    expect(ids.filter((id) => !reached.has(id))).toEqual([]);
    // Guards against walking an empty machine: DESIGN §1's states and the five regions are there.
    expect(ids).toEqual(expect.arrayContaining(['backend-engineer.idle', 'backend-engineer.escalated', 'backend-engineer.subDelegating.test-generator.stuck']));
    expect(reached.size).toBe(ids.length);
  });

  it('takes every transition the machine defines, except the listed unreachable ones', () => {
    const { taken } = explore();
    const defined = allTransitions().map(h.transitionKey);
    expect(new Set(defined).size).toBe(defined.length);
    expect(defined.filter((k) => !taken.has(k))).toEqual(Object.keys(UNREACHABLE));
    expect([...taken].filter((k) => !defined.includes(k))).toEqual([]);
  });

  it('derives the defined transitions from the machine, guarded alternatives and timers included', () => {
    const defined = allTransitions().map(h.transitionKey);
    expect(defined).toEqual(
      expect.arrayContaining([
        'backend-engineer --CANCEL[0]--> backend-engineer.cancelled',
        'backend-engineer.awaitingApproval --PLAN_DECISION[2]--> backend-engineer.escalated',
        `backend-engineer.awaitingApproval --${h.REMINDER}[0]--> (none)`,
        `backend-engineer.awaitingApproval.waiting --${h.ESCALATE}[0]--> backend-engineer.awaitingApproval.overdue`,
        'backend-engineer.subDelegating --xstate.done.state.backend-engineer.subDelegating[1]--> backend-engineer.escalated',
        'backend-engineer.fixing.next --always[1]--> backend-engineer.escalated',
        'backend-engineer.subDelegating.database-architect.deciding --always[1]--> backend-engineer.subDelegating.database-architect.finished',
      ]),
    );
  });

  it.each([
    ['idle'],
    ['readingLog'],
    ['planning.drafting.stuck'],
    ['planning.validating.stuck'],
    ['awaitingApproval.waiting'],
    ['awaitingApproval.overdue'],
    ['implementing.prevalidating.stuck'],
    ['implementing.working.stuck'],
    ['subDelegating.security-auditor.stuck'],
    ['verifying'],
    ['fixing.fixing.stuck'],
    ['escalated'],
    ['logging'],
    ['done'],
    ['cancelled'],
  ])('finds a path that rests in %s', (label) => {
    const { paths } = explore();
    const path = paths.find((p) => h.leaves(p.state.value).includes(label));
    expect(path).toBeDefined();
    // A path is a real run: replaying its events from the start ends in the same state.
    const replayed = h.run(h.start(h.runInput(path!.state.context.limits)), ...(path!.steps.map((s) => s.event) as h.Ev[]));
    expect(replayed.snap.value).toEqual(path!.state.value);
  });

  it('ends every path that leaves the machine active in a state with a tag the UI can show', () => {
    const { paths } = explore();
    const untagged = paths.filter((p) => p.state.status === 'active' && p.state.tags.size === 0).map((p) => JSON.stringify(p.state.value));
    expect([...new Set(untagged)]).toEqual([]);
  });
});
