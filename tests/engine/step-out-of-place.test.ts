import { describe, expect, it } from 'vitest';
import { fromPromise, setup } from 'xstate';
import type { MachineEntry } from '../../machines/entry.js';
import { persist } from '../../src/engine/apply.js';
import { newRunState, type EventSource, type RunState } from '../../src/engine/run-state.js';
import { step } from '../../src/engine/step.js';

/**
 * The step tells an event that changes nothing from XState's transition itself (no
 * `can` asked first): these are the cases where the two could part.
 */
const machine = setup({
  types: {} as { context: { n: number }; events: { type: 'STAY' } | { type: 'SELF' } | { type: 'GO'; ok: boolean } | { type: 'NOTHING' } },
  actors: { work: fromPromise(async () => 'done') },
}).createMachine({
  id: 'probe',
  context: { n: 0 },
  initial: 'a',
  states: {
    a: {
      invoke: { id: 'work', src: 'work' },
      on: {
        // Taken, though it changes nothing: a targeted self-transition without actions.
        SELF: { target: 'a' },
        GO: { guard: ({ event }) => event.ok, target: 'b' },
      },
    },
    b: {},
  },
});

const entry: MachineEntry = {
  id: 'probe',
  version: 1,
  machine,
  steps: ['work'],
  subagents: [],
  stages: [],
  input: () => undefined,
  event: (m, from, messageId) => ({ type: m.type, from, messageId }),
  starts: () => undefined,
  startHint: '',
  task: () => ({ id: 't', subject: '', description: '' }),
  view: () => ({ task: { id: 't', subject: '', description: '' }, revision: 0, fixCycles: 0, notices: [], adaptations: 0, subagents: {}, facts: [] }),
  explain: (state, _status, event) => `${event.type} is not taken in ${state}`,
  migrations: {},
};

const ctx = { now: 1000, self: 'me', recipients: (to: string[]) => to };
const person = (key: string): EventSource => ({ kind: 'person', key, action: 'x' });

function start(): RunState {
  const snapshot = machine.resolveState({ value: 'a', context: { n: 0 } });
  const state = newRunState('r1', { id: 'probe', version: 1 }, persist(snapshot), 0);
  return { ...state, steps: { work: { src: 'work', input: undefined, attempt: 1, startedAt: 0 } }, attempts: { work: 1 } };
}

describe('step: an event that changes nothing', () => {
  it('should be out of place when no state takes it, with nothing changed', () => {
    const s = step(entry, start(), person('k1'), { type: 'NOTHING' }, ctx);
    expect(s.applied.outOfPlace).toBe('NOTHING is not taken in a');
    expect(s.applied.delta).toEqual({});
    expect(s.effects).toEqual({ outbox: [], start: [], stop: [], task: undefined });
  });

  it('should be out of place when its only transition is guarded off', () => {
    const s = step(entry, start(), person('k1'), { type: 'GO', ok: false }, ctx);
    expect(s.applied.outOfPlace).toBe('GO is not taken in a');
    expect(s.state.snapshot.value).toBe('a');
  });

  it('should be taken, not out of place, when a transition is taken that changes nothing', () => {
    const s = step(entry, start(), person('k1'), { type: 'SELF' }, ctx);
    expect(s.applied.outOfPlace).toBeUndefined();
    expect(s.applied.delta).toEqual({});
    expect(s.state.steps.work?.attempt).toBe(1);
  });

  it('should leave the run active and call a step error no transition takes out of place', () => {
    const s = step(entry, start(), { kind: 'step', id: 'work', attempt: 1 }, { type: 'xstate.error.actor.work', error: 'boom' }, ctx);
    expect(s.applied.outOfPlace).toBe('xstate.error.actor.work is not taken in a');
    expect(s.state.snapshot.status).toBe('active');
    expect(s.applied.delta).toEqual({});
  });

  it('should take a guarded transition whose guard lets it through', () => {
    const s = step(entry, start(), person('k1'), { type: 'GO', ok: true }, ctx);
    expect(s.applied.outOfPlace).toBeUndefined();
    expect(s.applied.delta).toEqual({ value: 'b', ended: ['work'] });
    expect(s.effects.stop).toEqual(['work']);
  });
});
