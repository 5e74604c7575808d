import { isDeepStrictEqual } from 'node:util';
import type { MachineEntry } from '../../machines/index.js';
import type { Config } from '../workspace/config-schema.js';
import { expandRecipients } from './addresses.js';
import { applyEvent } from './apply.js';
import type { RunRecord, RunState } from './run-state.js';
import { stateAfter } from './run-state.js';

export type ReplayResult = { ok: true; steps: number } | { ok: false; seq: number; event: string; what: string; expected: unknown; got: unknown };

/**
 * Replays a run's journal through the machine: from the created state, every journaled
 * event is applied again with the time it was applied at, and the result must match the
 * state and the messages the journal holds. The first divergent step is reported.
 */
export function replay(entry: MachineEntry, config: Config, records: RunRecord[]): ReplayResult {
  let state: RunState | undefined;
  let steps = 0;
  for (const r of records) {
    if (r.kind !== 'event') {
      state = stateAfter(state, r);
      continue;
    }
    if (!state) return { ok: false, seq: r.seq, event: r.event.type, what: 'an event before the run was created', expected: 'a created record first', got: r.kind };
    const applied = applyEvent(entry, state, r.event, { now: r.at, self: config.engine.member, recipients: (to) => expandRecipients(to, config) });
    steps += 1;
    const checks: [string, unknown, unknown][] = [
      ['state', r.state.snapshot.value, applied.state.snapshot.value],
      ['context', r.state.snapshot.context, applied.state.snapshot.context],
      ['status', r.state.snapshot.status, applied.state.snapshot.status],
      ['active steps', Object.keys(r.state.steps).sort(), Object.keys(applied.state.steps).sort()],
      ['timers', r.state.timers, timersAfter(applied.state, r)],
      ['messages sent', r.outbox.map((o) => o.message), applied.effects.outbox.map((o) => o.message)],
      ['out-of-place verdict', r.outOfPlace ?? null, applied.outOfPlace ?? null],
    ];
    for (const [what, expected, got] of checks) {
      // The journal holds JSON: compare what JSON keeps (undefined fields drop out).
      if (!isDeepStrictEqual(json(expected), json(got))) return { ok: false, seq: r.seq, event: r.event.type, what, expected, got };
    }
    state = stateAfter(state, r);
  }
  return { ok: true, steps };
}

const json = (v: unknown): unknown => (v === undefined ? null : JSON.parse(JSON.stringify(v)));

/** A fired timer leaves the table when the engine commits it. */
function timersAfter(state: RunState, r: Extract<RunRecord, { kind: 'event' }>): RunState['timers'] {
  if (r.source.kind !== 'timer') return state.timers;
  const { [r.source.id]: _fired, ...rest } = state.timers;
  return rest;
}
