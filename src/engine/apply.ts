import type { AnyMachineSnapshot } from 'xstate';
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
