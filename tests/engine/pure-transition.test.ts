import { transition } from 'xstate';
import { describe, expect, it } from 'vitest';
import { pureTransition } from '../../src/engine/pure-transition.js';
import { eventsFor, explore } from '../machines/graph.js';
import * as h from '../machines/helpers.js';

/**
 * A snapshot and its actions as comparable data: the inert scope an action names (`self`,
 * `system`: a new one per xstate call) left out, actor refs by id only.
 */
function comparable([next, actions]: [{ value: unknown; context: unknown; status: string }, unknown[]]): string {
  return JSON.stringify({ value: next.value, context: next.context, status: next.status, actions }, (k, v: unknown) =>
    k === 'self' || k === 'system' ? 'scope' : v && typeof v === 'object' && 'sessionId' in v ? `actor ${(v as { id?: string }).id}` : typeof v === 'function' ? 'fn' : v,
  );
}

describe('pureTransition', () => {
  it('should give what xstate’s transition gives, snapshot and actions, for every event from every state the machine reaches', () => {
    const { paths } = explore();
    let compared = 0;
    for (const path of paths) {
      for (const e of eventsFor(path.state)) {
        const ours = pureTransition(h.machine, path.state, e as never);
        const theirs = transition(h.machine, path.state, e as never);
        expect(comparable(ours as never), `${JSON.stringify(path.state.value)} + ${e.type}`).toBe(comparable(theirs as never));
        compared++;
      }
    }
    // The walk reaches the whole machine (tests/machines/backend-engineer.graph.test.ts): hundreds of states.
    expect(compared).toBeGreaterThan(500);
  });

  it('should keep no actions of one call in the next', () => {
    const [first] = [h.start()];
    const [, a] = pureTransition(h.machine, first, h.handoff('analyst') as never);
    const [, b] = pureTransition(h.machine, first, { type: 'NO_SUCH_EVENT' } as never);
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual([]);
  });
});
