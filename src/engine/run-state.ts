import type { Message } from '../protocol/schema.js';

/** The persisted part of a machine snapshot: enough to resolve it again. */
export interface PersistedSnapshot {
  value: unknown;
  context: Record<string, unknown>;
  status: 'active' | 'done' | 'error' | 'stopped';
  tags: string[];
}

/** A step's work in progress: started by a spawn action, ended by its done/error event. */
export interface ActiveStep {
  src: string;
  input: unknown;
  attempt: number;
  startedAt: number;
}

/** A durable timer: an absolute deadline and the event it sends (DESIGN §4). */
export interface Timer {
  event: { type: string };
  deadline: number;
}

/** A message the run sends, journaled before it is delivered. */
export interface OutboxItem {
  /** Stable per message: the delivery file name derives from it, so a re-delivery replaces. */
  key: string;
  recipients: string[];
  message: Message;
}

/**
 * Everything about one run that the engine keeps: the machine snapshot plus what the
 * machine cannot hold (active steps, timers, undelivered messages, applied message keys).
 * It is the `state` of every journal record, and the snapshot cache's content.
 */
export interface RunState {
  runId: string;
  machine: { id: string; version: number };
  snapshot: PersistedSnapshot;
  steps: Record<string, ActiveStep>;
  attempts: Record<string, number>;
  timers: Record<string, Timer>;
  /** Keys of the inbound messages and commands already applied: exactly-once. */
  seen: string[];
  undelivered: OutboxItem[];
  /** How many messages the run has sent: the next outgoing id. */
  sent: number;
  createdAt: number;
  /** When the run entered its current state. */
  since: number;
  updatedAt: number;
  last?: { dir: 'in' | 'out'; peer: string; type: string; firstLine: string; at: number };
}

/** Where an event came from, as the journal and the timeline show it. */
export type EventSource =
  | { kind: 'message'; key: string; file: string; from: string; type: string; priority: string; firstLine: string; task?: string }
  | { kind: 'step'; id: string; attempt: number }
  | { kind: 'timer'; id: string }
  | { kind: 'person'; key: string; action: string };

/** Journal records (store payloads). Each carries the run's state after it. */
export type RunRecord =
  | { seq: number; at: number; kind: 'created'; machine: { id: string; version: number }; input: unknown; state: RunState }
  | {
      seq: number;
      at: number;
      kind: 'event';
      source: EventSource;
      event: { type: string; [k: string]: unknown };
      /** Set when the event changed nothing: why (shown to the user). */
      outOfPlace?: string;
      outbox: OutboxItem[];
      /** The state after the event, written compactly (see compactState and stateAfter). */
      state: CompactState;
      /** Inputs of the steps this event started (every other step's input is in an earlier record). */
      inputs?: Record<string, unknown>;
    }
  | { seq: number; at: number; kind: 'step-started'; id: string; attempt: number }
  | { seq: number; at: number; kind: 'delivered'; keys: string[] };

/**
 * A run's state as an event record holds it: without `undelivered` (it is the state
 * before's plus the record's outbox) and without the inputs of steps already running
 * (each is in the record that started it). A record stays a few KB however many steps
 * run side by side.
 */
export type CompactState = Omit<RunState, 'undelivered' | 'steps'> & {
  undelivered?: OutboxItem[];
  steps: Record<string, Omit<ActiveStep, 'input'> & { input?: unknown }>;
};

export function compactState(state: RunState): { state: CompactState; inputs?: Record<string, unknown> } {
  return { state: { ...state, undelivered: undefined, steps: Object.fromEntries(Object.entries(state.steps).map(([id, { input: _input, ...rest }]) => [id, rest])) } };
}

/** The run's state after `record`, given the state before it (records carry it or a delta). */
export function stateAfter(before: RunState | undefined, record: RunRecord): RunState {
  if (record.kind === 'created') return record.state;
  if (record.kind === 'event') {
    const steps: Record<string, ActiveStep> = {};
    for (const [id, step] of Object.entries(record.state.steps)) {
      steps[id] = { ...step, input: record.inputs?.[id] ?? step.input ?? before?.steps[id]?.input };
    }
    const undelivered = record.state.undelivered ?? [...(before?.undelivered ?? []), ...record.outbox];
    return { ...record.state, steps, undelivered };
  }
  if (!before) throw new Error(`journal record ${record.seq} (${record.kind}) has no state before it`);
  if (record.kind === 'delivered') {
    const done = new Set(record.keys);
    return { ...before, undelivered: before.undelivered.filter((o) => !done.has(o.key)) };
  }
  const step = before.steps[record.id];
  if (!step) return before;
  return {
    ...before,
    steps: { ...before.steps, [record.id]: { ...step, attempt: record.attempt } },
    attempts: { ...before.attempts, [record.id]: Math.max(before.attempts[record.id] ?? 0, record.attempt) },
  };
}

/** A run's state before any event: the machine's snapshot, nothing running, nothing sent. */
export function newRunState(runId: string, machine: RunState['machine'], snapshot: PersistedSnapshot, now: number): RunState {
  return { runId, machine, snapshot, steps: {}, attempts: {}, timers: {}, seen: [], undelivered: [], sent: 0, createdAt: now, since: now, updatedAt: now };
}

export function isFinished(state: RunState): boolean {
  return state.snapshot.status !== 'active';
}
