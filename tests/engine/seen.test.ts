import { describe, expect, it } from 'vitest';
import { applyDelta } from '../../src/engine/fold.js';
import type { Applied, EventSource, RunState } from '../../src/engine/run-state.js';
import { newRunState } from '../../src/engine/run-state.js';
import { appliedAlready, reusedKey } from '../../src/engine/seen.js';

const message = (key: string, digest?: string): EventSource => ({ kind: 'message', key, ...(digest !== undefined ? { digest } : {}), ref: 'cur/x.md', origin: 'inboxes/backend-engineer/new/x.md', from: 'analyst', type: 'HANDOFF', priority: 'HIGH', firstLine: 'x' });
const applied = (source: EventSource): Applied => ({ source, event: { type: 'HANDOFF' }, outbox: [], delta: {} });
const start = (): RunState => newRunState('t1', { id: 'backend-engineer', version: 1 }, { value: 'idle', context: {}, status: 'active', tags: [] }, 0);
const after = (...sources: EventSource[]): RunState => sources.reduce((s, src) => applyDelta(s, applied(src), 1), start());

describe('what a run remembers of the messages it applied', () => {
  it('should tell a copy of an applied message from another message that reuses its [ID:], by the digest its record carries', () => {
    const state = after(message('id:h-1', 'aaaaaaaaaaaaaaaa'));
    expect(state.seen).toEqual(['id:h-1#aaaaaaaaaaaaaaaa']);
    expect(appliedAlready(state, message('id:h-1', 'aaaaaaaaaaaaaaaa'))).toBe(true);
    expect(reusedKey(state, message('id:h-1', 'aaaaaaaaaaaaaaaa'))).toBeUndefined();
    expect(appliedAlready(state, message('id:h-1', 'bbbbbbbbbbbbbbbb'))).toBe(true);
    expect(reusedKey(state, message('id:h-1', 'bbbbbbbbbbbbbbbb'))).toBe('id:h-1');
    // Another ID that begins the same is another key.
    expect(appliedAlready(state, message('id:h', 'bbbbbbbbbbbbbbbb'))).toBe(false);
    expect(appliedAlready(state, message('id:h-10', 'bbbbbbbbbbbbbbbb'))).toBe(false);
  });

  it('should count a message applied by a record without a digest (journaled before digests) as the same, as before', () => {
    const state = after(message('id:h-1'));
    expect(state.seen).toEqual(['id:h-1']);
    expect(appliedAlready(state, message('id:h-1', 'bbbbbbbbbbbbbbbb'))).toBe(true);
    expect(reusedKey(state, message('id:h-1', 'bbbbbbbbbbbbbbbb'))).toBeUndefined();
  });

  it('should remember keys without a digest (no [ID:], a person action) as they are', () => {
    const state = after(message('sha:0123'), { kind: 'person', key: 'ctl:a#b', action: 'retry' });
    expect(state.seen).toEqual(['sha:0123', 'ctl:a#b']);
    expect(appliedAlready(state, message('sha:0123'))).toBe(true);
    expect(appliedAlready(state, { kind: 'person', key: 'ctl:a#b', action: 'retry' })).toBe(true);
    expect(appliedAlready(state, { kind: 'person', key: 'ctl:a', action: 'retry' })).toBe(false);
  });
});
