import type { GitCommit } from '../handlers/git/commit.js';
import type { StepSession } from '../handlers/types.js';
import type { Message } from '../protocol/schema.js';
import type { RunUsage } from './usage.js';

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

/** A durable timer: an absolute deadline and the event it sends (docs/DESIGN.md §4). */
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
  /** The recipients whose copy was staged before this was journaled (Mailbox.stage): for them, a staged copy that is gone was delivered. */
  staged?: string[];
  /** Of those, the ones staged under a name of the mailbox's own (Mailbox.stage's `{ as }`): recipient → that name, passed back to `deliver`. */
  stagedAs?: Record<string, string>;
}

/**
 * Everything about one run that the engine keeps: the machine snapshot plus what the
 * machine cannot hold (active steps, timers, undelivered messages, applied message keys).
 * The journal's first record holds it whole, each later record what changed (fold.ts);
 * the snapshot cache holds it whole at some record.
 */
export interface RunState {
  runId: string;
  machine: { id: string; version: number };
  snapshot: PersistedSnapshot;
  steps: Record<string, ActiveStep>;
  attempts: Record<string, number>;
  timers: Record<string, Timer>;
  /** Keys of the last inbound messages and commands applied (at most SEEN_KEPT), a message's with its digest when it has one (seen.ts): exactly-once. */
  seen: string[];
  undelivered: OutboxItem[];
  /** Why each undelivered reply (by key) could not be delivered at its last try, when it was tried. */
  held?: Record<string, string>;
  /** How many messages the run has sent: the next outgoing id. */
  sent: number;
  createdAt: number;
  /** When the run entered its current state. */
  since: number;
  updatedAt: number;
  last?: { dir: 'in' | 'out'; peer: string; type: string; firstLine: string; at: number };
  /** Set while the engine runs when a step's result or a fired timer could not be journaled: the run is stuck until a restart. */
  faulted?: string;
  /** Set (never journaled) when the run takes no more messages: its journal is gone or damaged. */
  quarantined?: { reason: string; at: number };
  /** What the run's steps used: the sum of the usage their result events carry (derived by the fold). */
  usage?: RunUsage;
  /** The LLM CLI session of each step not yet done, so a restart or a retry resumes it. */
  sessions?: Record<string, StepSession>;
  /** What became of the run's work at its end with `git.onDone: "commit"`: the write-log step's result carries it (derived by the fold). */
  gitCommit?: GitCommit;
}

/** Where an event came from, as the journal and the timeline show it. */
export type EventSource =
  /** `ref`: the mailbox's handle on the message (ask it for the text: `original(ref)`); `origin`: where it came from, for people. Journals before refs have `file` (a name in cur/). */
  /** `digest`: what the message says (messageDigest), for a key that is its [ID:], so that another message reusing the ID is told from a copy (seen.ts). Records before it have none. */
  | { kind: 'message'; key: string; digest?: string; ref: string; origin: string; file?: string; from: string; type: string; priority: string; firstLine: string; task?: string }
  | { kind: 'step'; id: string; attempt: number }
  | { kind: 'timer'; id: string }
  | { kind: 'person'; key: string; action: string };

/**
 * What one event changed in a run, as the journal holds it: only the parts that moved.
 * `seen`, `last`, `since`, `updatedAt`, `sent`, `attempts`, `undelivered` and the tags are
 * not in it: the fold derives them from the record (its source, time and outbox) and the
 * state value.
 */
export interface Delta {
  /** The new state value, when it moved. */
  value?: unknown;
  status?: PersistedSnapshot['status'];
  /** Top-level context keys the event assigned (with their new values). */
  context?: Record<string, unknown>;
  /** Context keys the event cleared (assigned undefined). */
  unset?: string[];
  /** Steps started, by id (each runs from the record's time). */
  started?: Record<string, { src: string; input: unknown; attempt: number }>;
  /** Steps that ended: finished, or their state was left. Applied before `started`. */
  ended?: string[];
  /** Timers armed, by id. */
  timers?: Record<string, Timer>;
  /** Timers gone: fired, cancelled, or the run finished. Applied before `timers`. */
  cleared?: string[];
}

/** One event applied to a run: where it came from, the event, what it changed and sent. */
export interface Applied {
  source: EventSource;
  event: { type: string; [k: string]: unknown };
  /** Set when the event changed nothing: why (shown to the user). */
  outOfPlace?: string;
  outbox: OutboxItem[];
  delta: Delta;
}

/**
 * A journal record of one inbound event (a message, a person's action, a timer, a step's
 * end) and, in `then`, the steps that completed at once because of it (instant and
 * built-in work): one record, one durable append, however many transitions it took.
 */
export type EventRecord = { seq: number; at: number; kind: 'event'; then?: Applied[] } & Applied;

/**
 * An event record of the first journal format: the whole state after the event (minus
 * the outbox and the inputs of running steps). Still read, never written.
 */
export interface LegacyEventRecord {
  seq: number;
  at: number;
  kind: 'event';
  source: EventSource;
  event: { type: string; [k: string]: unknown };
  outOfPlace?: string;
  outbox: OutboxItem[];
  state: LegacyState;
  inputs?: Record<string, unknown>;
}

export type LegacyState = Omit<RunState, 'undelivered' | 'steps'> & {
  undelivered?: OutboxItem[];
  steps: Record<string, Omit<ActiveStep, 'input'> & { input?: unknown }>;
};

/** Journal records (store payloads): the run's first state whole, then what each event changed. */
export type RunRecord =
  | { seq: number; at: number; kind: 'created'; machine: { id: string; version: number }; input: unknown; state: RunState }
  | EventRecord
  | LegacyEventRecord
  | { seq: number; at: number; kind: 'step-started'; id: string; attempt: number }
  /** A step's LLM CLI session, journaled before the CLI is spawned (or once the CLI names it). */
  | { seq: number; at: number; kind: 'step-session'; id: string; attempt: number; session: StepSession }
  /** `failed`: replies tried and not delivered, with why (journaled when the reason is new). */
  | { seq: number; at: number; kind: 'delivered'; keys: string[]; failed?: Record<string, string> };

export const isLegacy = (r: EventRecord | LegacyEventRecord): r is LegacyEventRecord => !('delta' in r);

/** The events a record applied, in order: the inbound one, then those it caused at once. */
export function appliedOf(r: EventRecord | LegacyEventRecord): Applied[] {
  if (isLegacy(r)) return [{ source: r.source, event: r.event, outbox: r.outbox, delta: {}, ...(r.outOfPlace ? { outOfPlace: r.outOfPlace } : {}) }];
  const { seq: _s, at: _a, kind: _k, then, ...first } = r;
  return [first, ...(then ?? [])];
}

/** A run's state before any event: the machine's snapshot, nothing running, nothing sent. */
export function newRunState(runId: string, machine: RunState['machine'], snapshot: PersistedSnapshot, now: number): RunState {
  return runStateOf({ runId, machine, snapshot, steps: {}, attempts: {}, timers: {}, seen: [], undelivered: [], sent: 0, createdAt: now, since: now, updatedAt: now });
}

/** Every field of `T`, the optional ones too (as undefined): a field added to RunState must be added where states are made so. */
export type AllFields<T> = { [K in keyof Required<T>]: T[K] };

/**
 * `s` made with every field of a RunState, in one order, those it lacks undefined (which
 * JSON leaves out, as it did their absence): every run's state then has one shape, so the
 * code that reads states on every message (the step, the fold, the commit) is compiled for
 * that one and not compiled again each time a state of another shape comes by.
 */
export function runStateOf(s: RunState): RunState {
  const all: AllFields<RunState> = {
    runId: s.runId,
    machine: s.machine,
    snapshot: s.snapshot,
    steps: s.steps,
    attempts: s.attempts,
    timers: s.timers,
    seen: s.seen,
    undelivered: s.undelivered,
    held: s.held,
    sent: s.sent,
    createdAt: s.createdAt,
    since: s.since,
    updatedAt: s.updatedAt,
    last: s.last,
    faulted: s.faulted,
    quarantined: s.quarantined,
    usage: s.usage,
    sessions: s.sessions,
    gitCommit: s.gitCommit,
  };
  return all;
}

export function isFinished(state: RunState): boolean {
  return state.snapshot.status !== 'active';
}
