import type { MachineEntry } from '../../machines/index.js';
import { machines } from '../../machines/index.js';
import type { ActiveStep, AllFields, Applied, EventRecord, LegacyEventRecord, RunRecord, RunState } from './run-state.js';
import { isLegacy, runStateOf } from './run-state.js';
import { gitCommitIn } from './git-commit.js';
import { seenEntry } from './seen.js';
import { afterStepResult, withSession } from './usage.js';

/** How many applied message and action keys a run remembers: exactly-once needs only the recent ones (those read again after a crash before their ack). */
export const SEEN_KEPT = 256;

/** The machines a fold reads tags from, by id: the built-in registry unless an engine runs its own. */
export type Registry = Readonly<Record<string, MachineEntry>>;

const tagCache = new WeakMap<MachineEntry, Map<string, string[]>>();

/** The tags of a state value: derived from the machine, never journaled. */
export function tagsOf(machineId: string, value: unknown, registry: Registry = machines): string[] {
  const entry = registry[machineId];
  if (!entry) return [];
  let byValue = tagCache.get(entry);
  if (!byValue) tagCache.set(entry, (byValue = new Map()));
  const key = typeof value === 'string' ? value : JSON.stringify(value);
  let tags = byValue.get(key);
  if (!tags) {
    tags = [...entry.machine.resolveState({ value: value as never, context: {} }).tags].sort();
    byValue.set(key, tags);
  }
  return tags;
}

/** The text up to its first newline (`split('\n')[0]`, without splitting a whole plan into lines). */
function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return nl === -1 ? text : text.slice(0, nl);
}

/** What a person sees as the run's last message: derived from the event's source and outbox. */
function lastOf(a: Applied, at: number): RunState['last'] | undefined {
  const out = a.outbox.at(-1);
  if (out) return { dir: 'out', peer: out.recipients.join(', '), type: out.message.type, firstLine: firstLine(out.message.body), at };
  const s = a.source;
  if (s.kind === 'message') return { dir: 'in', peer: s.from, type: s.type, firstLine: s.firstLine, at };
  return undefined;
}

/** The run's state after one applied event at time `at`: the one place a delta becomes state. */
export function applyDelta(before: RunState, a: Applied, at: number, registry: Registry = machines): RunState {
  const d = a.delta;
  let snapshot = before.snapshot;
  if (d.value !== undefined || d.status !== undefined || d.context || d.unset) {
    let context = before.snapshot.context;
    if (d.unset) context = withoutKeys({ ...context, ...d.context }, d.unset);
    else if (d.context) context = { ...context, ...d.context };
    const value = d.value !== undefined ? d.value : snapshot.value;
    snapshot = { value, context, status: d.status ?? snapshot.status, tags: d.value !== undefined ? tagsOf(before.machine.id, value, registry) : snapshot.tags };
  }
  let { steps, attempts, timers } = before;
  if (d.ended || d.started) {
    steps = { ...steps };
    for (const id of d.ended ?? []) delete steps[id];
    if (d.started) {
      attempts = { ...attempts };
      for (const [id, s] of Object.entries(d.started)) {
        steps[id] = { src: s.src, input: s.input, attempt: s.attempt, startedAt: at } satisfies ActiveStep;
        attempts[id] = s.attempt;
      }
    }
  }
  if (d.cleared || d.timers) {
    timers = { ...timers };
    for (const id of d.cleared ?? []) delete timers[id];
    Object.assign(timers, d.timers);
  }
  const key = seenEntry(a.source);
  // A step's result carries what it used; once done, its LLM session is not resumed again.
  const { usage, sessions } = afterStepResult(before, a.source, a.event);
  // Made field by field (runStateOf's order), not spread from `before`: one shape for every state.
  const next: AllFields<RunState> = {
    runId: before.runId,
    machine: before.machine,
    snapshot,
    steps,
    attempts,
    timers,
    seen: key ? withLast(before.seen, key) : before.seen,
    undelivered: a.outbox.length ? [...before.undelivered, ...a.outbox] : before.undelivered,
    held: before.held,
    sent: before.sent + a.outbox.length,
    createdAt: before.createdAt,
    since: d.value !== undefined ? at : before.since,
    updatedAt: at,
    last: lastOf(a, at) ?? before.last,
    faulted: before.faulted,
    quarantined: before.quarantined,
    usage,
    sessions,
    // Carried by the step result that ends the run (write-log's): looked for only when the status moves.
    gitCommit: d.status !== undefined && a.source.kind === 'step' ? (gitCommitIn(a.event) ?? before.gitCommit) : before.gitCommit,
  };
  return next;
}

/** The keys seen with `key` after them, the oldest dropped past SEEN_KEPT: one copy. */
function withLast(seen: string[], key: string): string[] {
  const out = seen.length < SEEN_KEPT ? seen.slice() : seen.slice(seen.length - (SEEN_KEPT - 1));
  out.push(key);
  return out;
}

/** `o` without `keys`, made anew rather than deleted from (a deleted key turns an object into a slow dictionary). */
function withoutKeys<T>(o: Record<string, T>, keys: readonly string[]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(o)) if (!keys.includes(k)) out[k] = o[k]!;
  return out;
}

/** The state after a record of the first journal format, which holds it (nearly) whole. */
function legacyAfter(before: RunState | undefined, r: LegacyEventRecord, registry: Registry): RunState {
  const steps: Record<string, ActiveStep> = {};
  for (const [id, step] of Object.entries(r.state.steps)) steps[id] = { ...step, input: r.inputs?.[id] ?? step.input ?? before?.steps[id]?.input };
  const undelivered = r.state.undelivered ?? [...(before?.undelivered ?? []), ...r.outbox];
  const { snapshot } = r.state;
  return runStateOf({ ...r.state, snapshot: { ...snapshot, tags: tagsOf(r.state.machine.id, snapshot.value, registry) }, steps, undelivered, seen: r.state.seen.slice(-SEEN_KEPT) });
}

/** The run's state after `record`, given the state before it. */
export function applyRecord(before: RunState | undefined, record: RunRecord, registry: Registry = machines): RunState {
  if (record.kind === 'created') return runStateOf(record.state);
  if (record.kind === 'event' && isLegacy(record)) return legacyAfter(before, record, registry);
  if (!before) throw new Error(`journal record ${record.seq} (${record.kind}) has no state before it`);
  if (record.kind === 'event') {
    const r = record as EventRecord;
    let state = applyDelta(before, r, r.at, registry);
    for (const a of r.then ?? []) state = applyDelta(state, a, r.at, registry);
    return state;
  }
  if (record.kind === 'step-session') return withSession(before, record.id, record.session);
  if (record.kind === 'delivered') return afterDelivery(before, record.keys, record.failed);
  const step = before.steps[record.id];
  if (!step) return before;
  return {
    ...before,
    steps: { ...before.steps, [record.id]: { ...step, attempt: record.attempt, startedAt: record.at } },
    attempts: { ...before.attempts, [record.id]: Math.max(before.attempts[record.id] ?? 0, record.attempt) },
  };
}

/**
 * The one fold of a run's journal: the state after `records`, starting from `from` (a
 * snapshot, or nothing for a whole journal). The engine, recovery, replay, `show`,
 * `runs` and the UI all rebuild a run's state through this.
 */
export function fold(records: readonly RunRecord[], from?: RunState, registry: Registry = machines): RunState | undefined {
  let state = from;
  for (const r of records) state = applyRecord(state, r, registry);
  return state;
}


/** The run after a delivery attempt: `keys` delivered, `failed` held with why. */
export function afterDelivery(before: RunState, keys: string[], failed: Record<string, string> = {}): RunState {
  const done = new Set(keys);
  const undelivered = before.undelivered.filter((o) => !done.has(o.key));
  const held: Record<string, string> = {};
  for (const o of undelivered) {
    const why = failed[o.key] ?? before.held?.[o.key];
    if (why !== undefined) held[o.key] = why;
  }
  return runStateOf({ ...before, undelivered, held: Object.keys(held).length ? held : undefined });
}
