import { isDeepStrictEqual } from 'node:util';
import type { MachineEntry } from '../../machines/index.js';
import type { Config } from '../workspace/config-schema.js';
import { expandRecipients } from './addresses.js';
import { applyDelta, applyRecord } from './fold.js';
import type { Applied, LegacyEventRecord, RunRecord, RunState } from './run-state.js';
import { appliedOf, isLegacy } from './run-state.js';
import { journaled, step, type Stepped } from './step.js';

export type ReplayResult = { ok: true; steps: number } | { ok: false; seq: number; event: string; what: string; expected: unknown; got: unknown };

/**
 * Replays a run's journal through the machine: from the created state, every journaled
 * event is stepped again with the time it was applied at, and what it changed and sent
 * must equal what the journal holds, exactly. The state between records is the fold of
 * the journal itself, so the first divergent step is the one reported.
 */
export function replay(entry: MachineEntry, config: Config, records: RunRecord[]): ReplayResult {
  let state: RunState | undefined;
  let steps = 0;
  for (const r of records) {
    if (r.kind !== 'event') {
      state = applyRecord(state, r);
      continue;
    }
    if (!state) return { ok: false, seq: r.seq, event: r.event.type, what: 'an event before the run was created', expected: 'a created record first', got: r.kind };
    const ctx = { now: r.at, self: config.engine.member, recipients: (to: string[]) => expandRecipients(to, config) };
    if (isLegacy(r)) {
      const divergence = checkLegacy(r, step(entry, state, r.source, r.event, ctx));
      if (divergence) return divergence;
      steps += 1;
      state = applyRecord(state, r);
      continue;
    }
    // The whole chain first (from the journal's own states), then compared as the engine wrote it.
    const parts = appliedOf(r);
    const got: Applied[] = [];
    let at = state;
    for (const a of parts) {
      got.push(step(entry, at, a.source, a.event, ctx).applied);
      at = applyDelta(at, a, r.at);
    }
    const replayed = journaled(got);
    for (const [i, a] of parts.entries()) {
      steps += 1;
      const divergence = check(r.seq, a, replayed[i]!);
      if (divergence) return divergence;
    }
    state = at;
  }
  return { ok: true, steps };
}

/** The journal holds JSON: compare what JSON keeps (undefined fields drop out). */
const json = (v: unknown): unknown => (v === undefined ? null : JSON.parse(JSON.stringify(v)));

function check(seq: number, journaled: Applied, got: Applied): Extract<ReplayResult, { ok: false }> | undefined {
  const checks: [string, unknown, unknown][] = [
    ['what changed', journaled.delta, got.delta],
    ['messages sent', journaled.outbox.map((o) => o.message), got.outbox.map((o) => o.message)],
    ['out-of-place verdict', journaled.outOfPlace ?? null, got.outOfPlace ?? null],
  ];
  for (const [what, expected, actual] of checks) {
    if (!isDeepStrictEqual(json(expected), json(actual))) return { ok: false, seq, event: journaled.event.type, what, expected, got: actual };
  }
  return undefined;
}

/** A record of the first format holds the state after it: the replayed state must match it. */
function checkLegacy(r: LegacyEventRecord, s: Stepped): Extract<ReplayResult, { ok: false }> | undefined {
  const checks: [string, unknown, unknown][] = [
    ['state', r.state.snapshot.value, s.state.snapshot.value],
    ['context', r.state.snapshot.context, s.state.snapshot.context],
    ['status', r.state.snapshot.status, s.state.snapshot.status],
    ['active steps', Object.keys(r.state.steps).sort(), Object.keys(s.state.steps).sort()],
    ['timers', r.state.timers, s.state.timers],
    ['messages sent', r.outbox.map((o) => o.message), s.applied.outbox.map((o) => o.message)],
    ['out-of-place verdict', r.outOfPlace ?? null, s.applied.outOfPlace ?? null],
  ];
  for (const [what, expected, got] of checks) {
    if (!isDeepStrictEqual(json(expected), json(got))) return { ok: false, seq: r.seq, event: r.event.type, what, expected, got };
  }
  return undefined;
}
