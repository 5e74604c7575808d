import type { AnyMachineSnapshot } from 'xstate';
import { transition } from 'xstate';
import type { MachineEntry } from '../../machines/index.js';
import type { Message } from '../protocol/schema.js';
import type { ActiveStep, OutboxItem, PersistedSnapshot, RunState, Timer } from './run-state.js';

/** What the run asks of the world after a transition; carried out only once journaled. */
export interface Effects {
  outbox: OutboxItem[];
  /** Steps to start (ids of `state.steps`). */
  start: string[];
  /** Steps to abort: their state was left. */
  stop: string[];
  /** Task status changes for tasks/<id>.json. */
  task?: 'in_progress' | 'completed';
}

export interface Applied {
  state: RunState;
  effects: Effects;
  /** Set when the event changed nothing, with the reason shown to the user. */
  outOfPlace?: string;
}

/** What apply needs from outside: the clock, and the team for addressing. */
export interface ApplyContext {
  now: number;
  /** The member this engine runs: the FROM of everything it sends. */
  self: string;
  /** Expands the machine's `to` (roles, ALL) into member names. */
  recipients: (to: string[]) => string[];
}

const NO_EFFECTS: Effects = { outbox: [], start: [], stop: [] };

/** The machine snapshot the persisted state stands for. */
export function resolve(entry: MachineEntry, snap: PersistedSnapshot): AnyMachineSnapshot {
  return entry.machine.resolveState({ value: snap.value as never, context: snap.context });
}

export function persist(snapshot: AnyMachineSnapshot): PersistedSnapshot {
  return {
    value: snapshot.value,
    context: snapshot.context as Record<string, unknown>,
    status: snapshot.status,
    tags: [...snapshot.tags].sort(),
  };
}

/**
 * The engine's step as a pure function (STYLE: "the engine's step is a pure function,
 * then effects"): the next state of the run and the effects to carry out, or the reason
 * the event has no place here. Nothing is touched; the caller journals, then acts.
 */
export function applyEvent(entry: MachineEntry, state: RunState, event: { type: string; from?: string }, ctx: ApplyContext): Applied {
  const snapshot = resolve(entry, state.snapshot);
  if (state.snapshot.status !== 'active' || !snapshot.can(event as never)) {
    return { state, effects: NO_EFFECTS, outOfPlace: entry.explain(stateLabel(state.snapshot.value), state.snapshot.status, event) };
  }
  const [next, actions] = transition(entry.machine, snapshot, event as never);
  const steps: Record<string, ActiveStep> = { ...state.steps };
  const attempts = { ...state.attempts };
  const timers: Record<string, Timer> = { ...state.timers };
  const effects: Effects = { outbox: [], start: [], stop: [] };
  let sent = state.sent;

  // A finished step's own done/error event ends it.
  const ended = /^xstate\.(done|error)\.actor\.(.+)$/.exec(event.type)?.[2];
  if (ended) delete steps[ended];

  for (const action of actions as { type: string; params?: Record<string, unknown> }[]) {
    const p = action.params ?? {};
    if (action.type === 'xstate.spawnChild') {
      const id = String(p.id);
      attempts[id] = (attempts[id] ?? 0) + 1;
      steps[id] = { src: String(p.src), input: p.input, attempt: attempts[id], startedAt: ctx.now };
      effects.start.push(id);
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
        const message: Message = { ...emitted.message, from: ctx.self, task: taskId(state), id: key };
        effects.outbox.push({ key, recipients: ctx.recipients(message.to), message });
      }
    }
  }

  // Steps whose state was left (spawned ones are active by construction).
  const active = activeInvokeIds(next);
  for (const id of Object.keys(steps)) {
    if (!active.has(id)) {
      delete steps[id];
      effects.stop.push(id);
    }
  }

  const persisted = persist(next);
  const moved = JSON.stringify(persisted.value) !== JSON.stringify(state.snapshot.value);
  return {
    state: {
      ...state,
      snapshot: persisted,
      steps,
      attempts,
      timers: next.status === 'active' ? timers : {},
      undelivered: [...state.undelivered, ...effects.outbox],
      sent,
      since: moved ? ctx.now : state.since,
      updatedAt: ctx.now,
    },
    effects,
  };
}

function taskId(state: RunState): string {
  const task = (state.snapshot.context as { task?: { id?: string } }).task;
  return task?.id ?? state.runId;
}

/** The ids of the invocations of every active state node. */
export function activeInvokeIds(snapshot: AnyMachineSnapshot): Set<string> {
  // `_nodes` is the snapshot's active state nodes; xstate exposes no public list of them.
  const nodes = (snapshot as unknown as { _nodes: { invoke: { id: string }[] }[] })._nodes;
  return new Set(nodes.flatMap((n) => n.invoke.map((i) => i.id)));
}

/** "awaitingApproval.waiting", "subDelegating" (parallel regions are not spelled out), … */
export function stateLabel(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length !== 1) return '';
    const [k, v] = entries[0]!;
    const inner = stateLabel(v);
    return inner ? `${k}.${inner}` : k;
  }
  return String(value);
}
