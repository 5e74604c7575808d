import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Applied } from '../../src/engine/run-state.js';
import { journaled } from '../../src/engine/step.js';

/** What journaled means, said the plain way: a started step's input is left out when a later record of the chain ends it. */
function reference(chain: Applied[]): Applied[] {
  return chain.map((a, i) => {
    const started = a.delta.started;
    if (!started) return a;
    const later = new Set(chain.slice(i + 1).flatMap((b) => b.delta.ended ?? []));
    if (!Object.keys(started).some((id) => later.has(id))) return a;
    const kept = Object.fromEntries(Object.entries(started).map(([id, s]) => [id, later.has(id) ? { src: s.src, attempt: s.attempt, input: undefined } : s]));
    return { ...a, delta: { ...a.delta, started: kept } };
  });
}

const ids = fc.constantFrom('plan', 'plan-check', 'implement', 'code-reviewer', 'fix');
const applied = fc.record({
  started: fc.option(fc.dictionary(ids, fc.record({ attempt: fc.integer({ min: 1, max: 3 }), input: fc.jsonValue() })), { nil: undefined }),
  ended: fc.option(fc.uniqueArray(ids), { nil: undefined }),
}).map(({ started, ended }): Applied => ({
  source: { kind: 'step', id: 'x', attempt: 1 },
  event: { type: 'xstate.done.actor.x' },
  outbox: [],
  delta: {
    ...(started ? { started: Object.fromEntries(Object.entries(started).map(([id, s]) => [id, { src: id, attempt: s.attempt, input: s.input }])) } : {}),
    ...(ended ? { ended } : {}),
  },
}));

describe('journaled', () => {
  it('leaves out the input of each step a later record of the chain ends, and nothing else', () => {
    fc.assert(
      fc.property(fc.array(applied, { maxLength: 12 }), (chain) => {
        const before = JSON.stringify(chain);
        expect(journaled(chain)).toEqual(reference(chain));
        // The chain given is not changed.
        expect(JSON.stringify(chain)).toBe(before);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the input of a step ended in its own record, and of one started again after it ended', () => {
    const rec = (delta: Applied['delta']): Applied => ({ source: { kind: 'step', id: 'x', attempt: 1 }, event: { type: 'e' }, outbox: [], delta });
    const chain = [
      rec({ started: { plan: { src: 'plan', attempt: 1, input: 'first' } } }),
      rec({ ended: ['plan'], started: { plan: { src: 'plan', attempt: 2, input: 'second' } } }),
    ];
    const [a, b] = journaled(chain);
    expect(a!.delta.started!.plan!.input).toBeUndefined();
    expect(b!.delta.started!.plan!.input).toBe('second');
  });
});
