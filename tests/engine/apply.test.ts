import type { AnyMachineSnapshot } from 'xstate';
import { describe, expect, it } from 'vitest';
import { machines } from '../../machines/index.js';
import { persist, resolve } from '../../src/engine/apply.js';
import { pureTransition } from '../../src/engine/pure-transition.js';
import { eventsFor, explore } from '../machines/graph.js';
import * as h from '../machines/helpers.js';

const entry = machines['backend-engineer']!;

/** Everything a resolved snapshot holds but its methods and machine, as comparable data. */
function fields(s: AnyMachineSnapshot) {
  const { machine: _m, can: _c, hasTag: _h, matches: _x, getMeta: _g, toJSON: _t, ...rest } = s as unknown as Record<string, unknown>;
  return { ...rest, _nodes: (s as unknown as { _nodes: { id: string }[] })._nodes.map((n) => n.id), tags: [...s.tags].sort() };
}

describe('resolve', () => {
  it("should give what xstate's resolveState gives, for every state value the machine reaches, asked the first time and again", () => {
    const { paths } = explore();
    let compared = 0;
    for (const round of [1, 2]) {
      for (const path of paths) {
        const persisted = JSON.parse(JSON.stringify(persist(path.state))) as ReturnType<typeof persist>;
        const ours = resolve(entry, persisted);
        const theirs = entry.machine.resolveState({ value: persisted.value as never, context: persisted.context });
        expect(fields(ours), `${JSON.stringify(persisted.value)}, round ${round}`).toEqual(fields(theirs));
        expect(ours.context).toBe(persisted.context);
        // And each event does from it what it does from xstate's own.
        for (const e of eventsFor(path.state).slice(0, round === 1 ? undefined : 3)) {
          const [a, aActions] = pureTransition(entry.machine, ours, e as never);
          const [b, bActions] = pureTransition(entry.machine, theirs, e as never);
          expect(persist(a)).toEqual(persist(b));
          expect(aActions.map((x) => (x as { type: string }).type)).toEqual(bActions.map((x) => (x as { type: string }).type));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(500);
  });

  it('should give each snapshot its own children and history, and a state value no caller can change', () => {
    const value = { planning: { drafting: 'running' } };
    const a = resolve(entry, { value, context: { n: 1 }, status: 'active', tags: [] });
    const b = resolve(entry, { value: { planning: { drafting: 'running' } }, context: { n: 2 }, status: 'active', tags: [] });
    expect(a.children).not.toBe(b.children);
    expect(a.historyValue).not.toBe(b.historyValue);
    expect(b.context).toEqual({ n: 2 });
    expect(() => ((a.value as Record<string, Record<string, string>>).planning!.drafting = 'stuck')).toThrow(TypeError);
    expect(resolve(entry, { value, context: {}, status: 'active', tags: [] }).value).toEqual(value);
  });

  it('should tell a final state done whatever status it is given, as xstate does', () => {
    const done = resolve(entry, { value: 'done', context: h.start().context as unknown as Record<string, unknown>, status: 'active', tags: [] });
    expect(done.status).toBe('done');
  });
});
