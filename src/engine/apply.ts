import type { AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import type { MachineEntry } from '../../machines/index.js';
import type { OutboxItem, PersistedSnapshot } from './run-state.js';

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

/** Snapshots xstate resolved, by machine and state value, without a context: what a state value alone decides. */
const resolvedValues = new WeakMap<AnyStateMachine, Map<string, AnyMachineSnapshot>>();
/** More state values than any machine here reaches; past it the oldest is resolved again when next asked. */
const VALUES_KEPT = 4096;

/**
 * The machine snapshot the persisted state stands for: xstate's `resolveState` of its
 * value and context, exactly. What that gives depends on the value alone but for the
 * context it carries (the active state nodes, the value in full, the tags, `done` in a
 * final state), so each value is resolved once and the snapshot for a context is that
 * one with the context put in, and its own empty `children` and `historyValue` as
 * xstate makes them. `key` is `valueKey(snap.value)`, for a caller that has it already.
 */
export function resolve(entry: MachineEntry, snap: PersistedSnapshot, key: string = valueKey(snap.value)): AnyMachineSnapshot {
  const machine = entry.machine as AnyStateMachine;
  let byValue = resolvedValues.get(machine);
  if (!byValue) resolvedValues.set(machine, (byValue = new Map()));
  let bare = byValue.get(key);
  if (!bare) {
    bare = machine.resolveState({ value: snap.value as never, context: {} });
    deepFreeze(bare.value);
    Object.freeze(bare._nodes);
    byValue.set(key, bare);
    if (byValue.size > VALUES_KEPT) byValue.delete(byValue.keys().next().value!);
  }
  return { ...bare, context: snap.context, children: {}, historyValue: {} } as AnyMachineSnapshot;
}

/** A state value as a comparable string (values are small: a few nested names). */
export const valueKey = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

function deepFreeze(v: unknown): void {
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const inner of Object.values(v)) deepFreeze(inner);
}

export function persist(snapshot: AnyMachineSnapshot): PersistedSnapshot {
  return {
    value: snapshot.value,
    context: snapshot.context as Record<string, unknown>,
    status: snapshot.status,
    tags: [...snapshot.tags].sort(),
  };
}

/** Each state node's invocation ids: a node's invocations are fixed when its machine is made. */
const invokeIdsOf = new WeakMap<object, readonly string[]>();

/** The ids of the invocations of every active state node. */
export function activeInvokeIds(snapshot: AnyMachineSnapshot): Set<string> {
  // `_nodes` is the snapshot's active state nodes; xstate exposes no public list of them.
  const nodes = (snapshot as unknown as { _nodes: { invoke: { id: string }[] }[] })._nodes;
  const ids = new Set<string>();
  for (const n of nodes) {
    let own = invokeIdsOf.get(n);
    // xstate's `invoke` is a getter that looks its memo up on every read.
    if (!own) invokeIdsOf.set(n, (own = n.invoke.map((i) => i.id)));
    for (const id of own) ids.add(id);
  }
  return ids;
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
