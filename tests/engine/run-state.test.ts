import { describe, expect, it } from 'vitest';
import { machines } from '../../machines/index.js';
import { persist } from '../../src/engine/apply.js';
import { afterDelivery, applyRecord } from '../../src/engine/fold.js';
import type { EventSource, RunState } from '../../src/engine/run-state.js';
import { newRunState, runStateOf } from '../../src/engine/run-state.js';
import type { Stepped } from '../../src/engine/step.js';
import { step } from '../../src/engine/step.js';
import * as h from '../machines/helpers.js';

const entry = machines['backend-engineer']!;
const ctx = (now: number) => ({ now, self: 'backend-engineer', recipients: (to: string[]) => to });
const message = (key: string, type: string): EventSource => ({ kind: 'message', key, ref: `cur/${key}`, origin: `new/${key}`, from: 'analyst', type, priority: 'MEDIUM', firstLine: type });

/** A run through its handoff, plan and approval, each event stepped as the engine steps it. */
function lifecycle(): { states: RunState[]; stepped: Stepped[] } {
  let state = newRunState('run-1', { id: entry.id, version: entry.version }, persist(h.start()), 1);
  const states = [state];
  const stepped: Stepped[] = [];
  const events: [EventSource, { type: string; [k: string]: unknown }][] = [
    [message('k1', 'HANDOFF'), h.handoff()],
    [{ kind: 'step', id: 'read-log', attempt: 1 }, h.logRead()],
    [{ kind: 'step', id: 'plan', attempt: 1 }, h.done('plan', h.planDone(false))],
    [{ kind: 'step', id: 'plan-check', attempt: 1 }, h.done('plan-check', h.ok('fine'))],
    // Out of place: a second handoff.
    [message('k2', 'HANDOFF'), h.handoff()],
    [message('k3', 'PLAN_DECISION'), h.decision(true)],
  ];
  for (const [i, [source, event]] of events.entries()) {
    const s = step(entry, state, source, event, ctx(10 + i));
    stepped.push(s);
    state = s.state;
    states.push(state);
  }
  states.push(afterDelivery(state, state.undelivered.map((o) => o.key)));
  states.push(afterDelivery(state, [], { [state.undelivered[0]!.key]: 'the folder is read-only' }));
  return { states, stepped };
}

describe('run states', () => {
  it('should have the same fields in the same order whatever made them: the first state, every step, a delivery, a failed one', () => {
    const { states } = lifecycle();
    const fields = Object.keys(newRunState('x', { id: entry.id, version: entry.version }, persist(h.start()), 0));
    expect(states.length).toBeGreaterThan(8);
    for (const s of states) expect(Object.keys(s)).toEqual(fields);
    // And a state read back from JSON (a journal's first record) is made so too.
    const created = applyRecord(undefined, { seq: 1, at: 0, kind: 'created', machine: { id: entry.id, version: entry.version }, input: {}, state: JSON.parse(JSON.stringify(states[3])) as RunState });
    expect(Object.keys(created)).toEqual(fields);
  });

  it('should hold as JSON exactly what the state holds, the fields it lacks left out as before', () => {
    const { states } = lifecycle();
    for (const s of states) {
      const plain = Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as RunState;
      expect(JSON.parse(JSON.stringify(runStateOf(plain)))).toEqual(JSON.parse(JSON.stringify(plain)));
      expect(runStateOf(plain)).toEqual(s);
    }
    // A failed delivery is held with its reason; a delivered one holds nothing.
    const last = states.at(-1)!;
    expect(Object.values(last.held ?? {})).toEqual(['the folder is read-only']);
    expect(states.at(-2)!.held).toBeUndefined();
    expect(states.at(-2)!.undelivered).toEqual([]);
  });

  it('should give every step and out-of-place verdict the same fields, and every effect its task, unset when there is none', () => {
    const { stepped } = lifecycle();
    const outOfPlace = stepped[4]!;
    expect(outOfPlace.applied.outOfPlace).toMatch(/./);
    for (const s of stepped) {
      expect(Object.keys(s.applied)).toEqual(['source', 'event', 'outOfPlace', 'outbox', 'delta']);
      expect(Object.keys(s.effects)).toEqual(['outbox', 'start', 'stop', 'task']);
      for (const o of s.applied.outbox) expect(Object.keys(o)).toEqual(['key', 'recipients', 'message', 'staged', 'stagedAs']);
    }
    expect(stepped[0]!.effects.task).toBe('in_progress');
    expect(stepped[1]!.effects.task).toBeUndefined();
    // The plan went out once the plan was checked.
    expect(stepped[3]!.applied.outbox.map((o) => o.message.type)).toEqual(['PLAN']);
  });

  it("should keep the last 256 keys a run applied, and its last message's first line only", () => {
    let state = lifecycle().states[6]!;
    for (let i = 0; i < 300; i++) state = step(entry, state, message(`n${i}`, 'NOTICE'), h.notice(), ctx(100 + i)).state;
    expect(state.seen).toHaveLength(256);
    expect(state.seen.at(-1)).toBe('n299');
    expect(state.seen[0]).toBe('n44');
    const planned = lifecycle().stepped[3]!.state;
    expect(planned.last?.firstLine).toBe(planned.undelivered[0]!.message.body.split('\n')[0]);
  });
});
