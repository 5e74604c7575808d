import type { AnyMachineSnapshot } from 'xstate';
import { transition } from 'xstate';
import { describe, expect, it } from 'vitest';
import { machines } from '../../machines/index.js';
import { persist, resolve } from '../../src/engine/apply.js';
import type { PersistedSnapshot } from '../../src/engine/run-state.js';
import { eventsFor, explore } from './graph.js';
import * as h from './helpers.js';

/**
 * The engine keeps a run as `{ value, context, status, tags }` (src/engine/apply.ts) and
 * resolves it with `machine.resolveState` after a restart: every snapshot a run can
 * rest in must survive that trip and go on exactly as if nothing had happened.
 */

const entry = machines['backend-engineer']!;

/** Events that have no place in most states, tried everywhere on resume too. */
const STRAYS: h.Ev[] = [
  h.decision(true),
  h.msg('PASS', 'breaker'),
  h.msg('PASS', 'sentinel'),
  h.bug('sentinel'),
  h.handoff('conductor'),
  h.msg('CANCEL', 'breaker'),
  h.notice(),
  { type: h.REMINDER },
  { type: h.ESCALATE },
];

/** Every distinct snapshot the walk rested in, once each. */
function restingSnapshots(): AnyMachineSnapshot[] {
  const byJson = new Map<string, AnyMachineSnapshot>();
  for (const p of explore().paths) byJson.set(JSON.stringify(persist(p.state)), p.state);
  return [...byJson.values()];
}

const throughJson = (s: AnyMachineSnapshot): PersistedSnapshot => JSON.parse(JSON.stringify(persist(s))) as PersistedSnapshot;

/**
 * What an event does, as the engine reads it (src/engine/apply.ts): whether it has a
 * place at all, and if so the persisted result and the data of the effects.
 */
function outcome(s: AnyMachineSnapshot, e: h.Ev) {
  // The engine never transitions on an event that has no place: it records the reason.
  if (!s.can(e as never)) return { can: false };
  const [next, actions] = transition(h.machine, s as h.Snap, e as never);
  return {
    can: true,
    next: persist(next),
    actions: (actions as { type: string; params?: Record<string, unknown> }[]).map((a) => ({
      type: a.type,
      // Only the data the engine reads: ids, sources, inputs, delays, emitted events. A
      // stopChild names a live child only in the original (a resolved snapshot has no
      // children); the engine stops steps by the states left, not by these.
      params: a.type === 'xstate.stopChild' ? undefined : JSON.parse(JSON.stringify({ id: a.params?.id, src: a.params?.src, input: a.params?.input, event: a.params?.event, delay: a.params?.delay, sendId: a.params?.sendId })) as unknown,
    })),
  };
}

/**
 * JSON with keys sorted: JSON drops undefined keys, so an assign after a resume may add a
 * key in another place than in the original, which is the same context.
 */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : x,
  );
}

describe('backend-engineer snapshots, persisted and resumed', () => {
  it('finds thousands of distinct resting snapshots to check', () => {
    expect(restingSnapshots().length).toBeGreaterThan(2000);
  });

  it('round-trips every reachable snapshot through JSON to the same value, context, status and tags', () => {
    for (const s of restingSnapshots()) {
      const persisted = persist(s);
      const parsed = throughJson(s);
      // Nothing in the snapshot is lost or changed by JSON (no Dates, Maps, undefined in arrays).
      expect(JSON.stringify(parsed)).toBe(JSON.stringify(persisted));
      const resolved = resolve(entry, parsed);
      expect(persist(resolved)).toEqual(persisted);
      expect(resolved.status).toBe(s.status);
      expect([...resolved.tags].sort()).toEqual([...s.tags].sort());
    }
  });

  it('resumes every reachable snapshot: each next event does from the resolved snapshot what it does from the original', () => {
    let compared = 0;
    const differ: string[] = [];
    for (const s of restingSnapshots()) {
      const resolved = resolve(entry, throughJson(s));
      for (const e of [...eventsFor(s as h.Snap), ...STRAYS]) {
        // Compared as canonical JSON: one expect per pair is slow over tens of thousands of pairs.
        const [a, b] = [outcome(resolved, e), outcome(s, e)];
        if (JSON.stringify(a) !== JSON.stringify(b) && canonical(a) !== canonical(b)) differ.push(`${JSON.stringify(s.value)} + ${JSON.stringify(e)}`);
        compared += 1;
      }
    }
    expect(differ).toEqual([]);
    expect(compared).toBeGreaterThan(20_000);
  });

  it('resumes a run restored mid-fix and finishes it with the same completion report', () => {
    const original = h.run(h.toVerifying(), h.bug()).snap;
    const restored = resolve(entry, throughJson(original)) as h.Snap;
    const finish = [h.done('fix', h.ok('fixed', { files: ['app/services/UserService.py'] })), h.msg('PASS', 'sentinel'), h.done('write-log', { entry: 'x' })];
    const a = h.run(original, ...finish);
    const b = h.run(restored, ...finish);
    expect(b.snap.value).toBe('done');
    expect(b.sent).toEqual(a.sent);
    expect(b.sent.at(-1)?.body).toContain('- Fix cycles: 1');
  });
});
