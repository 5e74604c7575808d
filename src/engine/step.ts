import type { MachineEntry } from '../../machines/index.js';
import type { Message } from '../protocol/schema.js';
import type { Effects } from './apply.js';
import { activeInvokeIds, resolve, stateLabel, valueKey } from './apply.js';
import type { Registry } from './fold.js';
import { applyDelta } from './fold.js';
import { pureTransition } from './pure-transition.js';
import type { Applied, Delta, EventSource, RunState, Timer } from './run-state.js';
import { appliedAlready } from './seen.js';

/** What a step needs from outside: the clock, and the team for addressing. */
export interface StepContext {
  now: number;
  /** The member this engine runs: the FROM of everything it sends. */
  self: string;
  /** Expands the machine's `to` (roles, ALL) into member names. */
  recipients: (to: string[]) => string[];
}

/** One event through the machine: what the journal records, the state after it, and what to do. */
export interface Stepped {
  applied: Applied;
  /** `applyDelta(state, applied)`: exactly what the fold of the journal gives. */
  state: RunState;
  effects: Effects;
}

// Every Effects and Applied made here has the same fields (those unused undefined, which JSON leaves out): one shape each for the code that reads them.
const NO_EFFECTS: Effects = { outbox: [], start: [], stop: [], task: undefined };

/**
 * Whether the run takes an event from `source` at all: a message or action already
 * applied, the end of a step attempt that is no longer running, or a timer no longer
 * armed is dropped without a record.
 */
export function accepts(state: RunState, source: EventSource): boolean {
  if (source.kind === 'message' || source.kind === 'person') return !appliedAlready(state, source);
  if (source.kind === 'step') return state.steps[source.id]?.attempt === source.attempt;
  return state.timers[source.id] !== undefined;
}

/**
 * The engine's one pure step: the event through the machine, as the delta the journal
 * records, the state after it and the effects to carry out once it is journaled. A fired
 * timer is spent here whatever the event did. Nothing is touched; the caller journals,
 * then acts. The engine and `replay` both call it, so replay checks exactly what ran.
 */
export function step(entry: MachineEntry, state: RunState, source: EventSource, event: { type: string; from?: string; [k: string]: unknown }, ctx: StepContext): Stepped {
  const fired = source.kind === 'timer' && state.timers[source.id] ? [source.id] : [];
  const beforeKey = valueKey(state.snapshot.value);
  const snapshot = resolve(entry, state.snapshot, beforeKey);
  if (state.snapshot.status !== 'active' || (ERROR_EVENT.test(event.type) && !snapshot.can(event as never))) return outOfPlace(entry, state, source, event, fired, ctx);
  const [next, actions] = pureTransition(entry.machine, snapshot, event as never);
  // No transition taken leaves XState's snapshot itself and no action: only then is `can` asked
  // (a targetless self-transition with no actions is taken all the same).
  if (next === snapshot && actions.length === 0 && !snapshot.can(event as never)) return outOfPlace(entry, state, source, event, fired, ctx);
  const timers: Record<string, Timer> = { ...state.timers };
  for (const id of fired) delete timers[id];
  const effects: Effects = { outbox: [], start: [], stop: [], task: undefined };
  const started: NonNullable<Delta['started']> = {};
  takeActions(entry, state, actions as { type: string; params?: Record<string, unknown> }[], ctx, { timers, effects, started });

  // A finished step's own done/error event ends it.
  const ended = /^xstate\.(done|error)\.actor\.(.+)$/.exec(event.type)?.[2];

  // Steps whose state was left (spawned ones are active by construction): of those running
  // before (but the one that ended) and those started, in that order.
  const active = activeInvokeIds(next);
  const running = Object.keys(state.steps).filter((id) => id !== ended);
  for (const id of Object.keys(started)) if (id === ended || state.steps[id] === undefined) running.push(id);
  const left = new Set<string>();
  for (const id of running) {
    if (!active.has(id)) {
      left.add(id);
      delete started[id];
      effects.stop.push(id);
    }
  }
  effects.start = Object.keys(started);
  const finalTimers = next.status === 'active' ? timers : {};

  const delta: Delta = {};
  if (valueKey(next.value) !== beforeKey) delta.value = next.value;
  if (next.status !== state.snapshot.status) delta.status = next.status;
  contextDelta(delta, state.snapshot.context, next.context as Record<string, unknown>);
  const endedIds = Object.keys(state.steps).filter((id) => id === ended || left.has(id) || started[id] !== undefined);
  if (endedIds.length) delta.ended = endedIds;
  if (effects.start.length) delta.started = started;
  const cleared = Object.keys(state.timers).filter((id) => finalTimers[id] === undefined);
  if (cleared.length) delta.cleared = cleared;
  const armed = Object.entries(finalTimers).filter(([id, t]) => t !== state.timers[id]);
  if (armed.length) delta.timers = Object.fromEntries(armed);

  const applied: Applied = { source, event, outOfPlace: undefined, outbox: effects.outbox, delta };
  return { applied, state: applyDelta(state, applied, ctx.now, registryOf(entry)), effects };
}

/**
 * An actor's error event that no transition takes: XState's transition would stop the
 * machine in status 'error'; the engine keeps the run as it was and calls it out of place.
 */
const ERROR_EVENT = /^xstate\.error\.actor/;

/** The event changed nothing: why, and a fired timer spent. */
function outOfPlace(entry: MachineEntry, state: RunState, source: EventSource, event: { type: string; from?: string }, fired: string[], ctx: StepContext): Stepped {
  const applied: Applied = { source, event, outOfPlace: entry.explain(stateLabel(state.snapshot.value), state.snapshot.status, event), outbox: [], delta: fired.length ? { cleared: fired } : {} };
  return { applied, state: applyDelta(state, applied, ctx.now, registryOf(entry)), effects: NO_EFFECTS };
}

// The step's parts below are functions of their own, not inlined into it: what a lifecycle's
// later stages bring first (timers, sent messages, cleared context keys) then recompiles
// one of these, not the whole step.

/** What the transition's actions ask for: steps started, timers armed and cancelled, messages sent, the task's status. */
function takeActions(
  entry: MachineEntry,
  state: RunState,
  actions: readonly { type: string; params?: Record<string, unknown> }[],
  ctx: StepContext,
  into: { timers: Record<string, Timer>; effects: Effects; started: NonNullable<Delta['started']> },
): void {
  const { timers, effects, started } = into;
  let sent = state.sent;
  for (const action of actions) {
    const p = action.params ?? {};
    if (action.type === 'xstate.spawnChild') {
      const id = String(p.id);
      const attempt = (state.attempts[id] ?? 0) + 1;
      started[id] = { src: String(p.src), input: p.input, attempt };
    } else if (action.type === 'xstate.raise' && typeof p.delay === 'number') {
      timers[String(p.id)] = { event: p.event as { type: string }, deadline: ctx.now + p.delay };
    } else if (action.type === 'xstate.cancel') {
      delete timers[String(p.sendId)];
    } else if (action.type === 'xstate.emit') {
      const emitted = p.event as { type: string; message?: Omit<Message, 'from'>; status?: 'in_progress' | 'completed' };
      if (emitted.type === 'task') effects.task = emitted.status;
      if (emitted.type === 'send' && emitted.message) {
        sent += 1;
        const key = `${state.runId}.${sent}`;
        const message: Message = { ...emitted.message, from: ctx.self, task: taskId(entry, state), id: key };
        effects.outbox.push({ key, recipients: ctx.recipients(message.to), message, staged: undefined, stagedAs: undefined });
      }
    }
  }
}

/** The top-level context keys the transition assigned (into `delta.context`) and cleared (into `delta.unset`). */
function contextDelta(delta: Delta, before: Record<string, unknown>, after: Record<string, unknown>): void {
  for (const k of Object.keys(after)) {
    if (after[k] === before[k]) continue;
    if (after[k] === undefined) {
      if (k in before) (delta.unset ??= []).push(k);
    } else (delta.context ??= {})[k] = after[k];
  }
  for (const k of Object.keys(before)) if (!(k in after)) (delta.unset ??= []).push(k);
}

const registries = new WeakMap<MachineEntry, Registry>();
/** The entry as the one-machine registry a fold reads tags from. */
function registryOf(entry: MachineEntry): Registry {
  let r = registries.get(entry);
  if (!r) registries.set(entry, (r = { [entry.id]: entry }));
  return r;
}

/**
 * A record's chain as the journal keeps it: a step that starts and ends within the same
 * record (work done at once) leaves no trace in the state after it, so its input is not
 * written (it can be large: the handoff, the plan). The engine and replay both pass
 * their chain through this, so replay still compares exactly.
 */
export function journaled(chain: Applied[]): Applied[] {
  const out = chain.slice();
  // The steps ended after each record, gathered from the end of the chain back.
  const later = new Set<string>();
  for (let i = chain.length - 1; i >= 0; i--) {
    const a = chain[i]!;
    const started = a.delta.started;
    if (started && Object.keys(started).some((id) => later.has(id))) {
      const kept = Object.fromEntries(Object.entries(started).map(([id, s]) => [id, later.has(id) ? { src: s.src, attempt: s.attempt, input: undefined } : s]));
      out[i] = { ...a, delta: { ...a.delta, started: kept } };
    }
    for (const id of a.delta.ended ?? []) later.add(id);
  }
  return out;
}

function taskId(entry: MachineEntry, state: RunState): string {
  return entry.task(state.snapshot.context).id || state.runId;
}
