import { describe, expect, it } from 'vitest';
import { eventRecord, outboxOf, withStagedState } from '../../src/engine/commit-parts.js';
import type { Applied, OutboxItem, RunState } from '../../src/engine/run-state.js';
import { newRunState } from '../../src/engine/run-state.js';
import type { Stepped } from '../../src/engine/step.js';

const reply = (key: string, to: string[]): OutboxItem => ({ key, recipients: to, message: { type: 'PLAN', to, body: `plan ${key}`, priority: 'MEDIUM', from: 'backend-engineer', task: 't1', id: key } as never, staged: undefined, stagedAs: undefined });
const applied = (type: string, delta: Applied['delta'], outbox: OutboxItem[] = []): Applied => ({ source: { kind: 'step', id: type, attempt: 1 }, event: { type }, outOfPlace: undefined, outbox, delta });
const stepped = (a: Applied, state: RunState): Stepped => ({ applied: a, state, effects: { outbox: a.outbox, start: [], stop: [], task: undefined } });

describe('the pieces of a commit', () => {
  const state = newRunState('run-1', { id: 'backend-engineer', version: 1 }, { value: 'idle', context: {}, status: 'active', tags: [] }, 0);
  const chain = [
    stepped(applied('HANDOFF', { started: { plan: { src: 'plan', attempt: 1, input: 'the whole handoff' } } }), state),
    stepped(applied('xstate.done.actor.plan', { ended: ['plan'] }, [reply('run-1.1', ['conductor', 'librarian'])]), state),
    stepped(applied('xstate.done.actor.check', {}, [reply('run-1.2', ['sentinel'])]), state),
  ];

  it('should give every reply of a chain in order', () => {
    expect(outboxOf(chain).map((o) => o.key)).toEqual(['run-1.1', 'run-1.2']);
    expect(outboxOf([])).toEqual([]);
  });

  it("should make one record of a chain: its first step as the event, the others as then, a step's input left out when the record ends it, replies marked staged", () => {
    const staged = new Map([['run-1.1', { to: ['conductor', 'librarian'], as: { librarian: '.reply-0123456789abcdef.tmp' } }]]);
    const record = eventRecord(7, 1000, chain, staged);
    expect(record).toMatchObject({ seq: 7, at: 1000, kind: 'event', event: { type: 'HANDOFF' } });
    expect(record.delta.started).toEqual({ plan: { src: 'plan', attempt: 1, input: undefined } });
    expect(record.then!.map((a) => a.event.type)).toEqual(['xstate.done.actor.plan', 'xstate.done.actor.check']);
    expect(record.then![0]!.outbox[0]!.staged).toEqual(['conductor', 'librarian']);
    // The copy staged in a spare of the mailbox's is journaled with the spare's name.
    expect(record.then![0]!.outbox[0]!.stagedAs).toEqual({ librarian: '.reply-0123456789abcdef.tmp' });
    expect(record.then![1]!.outbox[0]!.staged).toBeUndefined();
    // A chain of one step has no `then`; the chain given is not changed.
    expect('then' in eventRecord(8, 1001, chain.slice(2), staged)).toBe(false);
    expect(chain[0]!.applied.delta.started!.plan!.input).toBe('the whole handoff');
  });

  it('should mark the undelivered replies of a state staged where they were, and leave the state given as it was', () => {
    const waiting = { ...state, undelivered: [reply('run-1.1', ['conductor', 'librarian']), reply('run-1.2', ['sentinel'])] };
    const after = withStagedState(waiting, new Map([['run-1.2', { to: ['sentinel'] }]]));
    expect(after.undelivered.map((o) => o.staged)).toEqual([undefined, ['sentinel']]);
    expect(waiting.undelivered[1]!.staged).toBeUndefined();
    expect(Object.keys(after)).toEqual(Object.keys(waiting));
  });
});
