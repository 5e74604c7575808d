import type { AnyStateMachine, StateValue } from 'xstate';
import type { MachineEntry, NodeMeta } from '../../machines/entry.js';

/** A state node of the run's current state, with what its `meta` says. */
export interface ActiveNode {
  /** Keys from the root: ["planning", "drafting"]. */
  path: string[];
  meta: NodeMeta & { invoke?: string };
  /** The child state it is in, for a compound node; undefined for a leaf. */
  child?: string;
}

interface NodeLike {
  meta?: unknown;
  states: Record<string, NodeLike>;
}

/** Every active state node under the root, outermost first, read from the machine's definition. */
export function activeNodes(machine: AnyStateMachine, value: unknown): ActiveNode[] {
  const out: ActiveNode[] = [];
  const walk = (node: NodeLike, v: StateValue, path: string[]) => {
    const children = typeof v === 'string' ? { [v]: undefined } : v;
    for (const [key, inner] of Object.entries(children)) {
      const child = node.states[key];
      if (!child) continue;
      const childPath = [...path, key];
      const leafChild = typeof inner === 'string' ? inner : undefined;
      out.push({ path: childPath, meta: (child.meta ?? {}) as ActiveNode['meta'], ...(leafChild ? { child: leafChild } : {}) });
      if (inner !== undefined) walk(child, inner as StateValue, childPath);
    }
  };
  if (typeof value === 'string' || (value && typeof value === 'object')) walk(machine.root as unknown as NodeLike, value as StateValue, []);
  return out;
}

/** The lifecycle stage the run's top-level state belongs to. */
export function stageOfValue(entry: MachineEntry, value: unknown): string | undefined {
  return activeNodes(entry.machine, value).find((n) => n.path.length === 1)?.meta.stage;
}

/** What the run's top-level state waits for, in words. */
export function expectsOf(entry: MachineEntry, value: unknown): string | undefined {
  return activeNodes(entry.machine, value).find((n) => n.path.length === 1)?.meta.expects;
}

/** A step the run is stuck in: the step a person acts on, and the invocation's id. */
export interface StuckStep {
  step: string;
  invoke: string;
}

/** The steps the run is stuck in (a failed step waits for a person to retry or complete it). */
export function stuckStepsOf(entry: MachineEntry, value: unknown): StuckStep[] {
  return activeNodes(entry.machine, value)
    .filter((n) => n.meta.step && n.child === 'stuck')
    .map((n) => ({ step: n.meta.step!, invoke: n.meta.invoke ?? n.meta.step! }));
}

/** Every step the machine can invoke, with the invocation ids it runs under ("architecture-validator" as "plan-check"). */
export function invocationsOf(entry: MachineEntry): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const walk = (node: NodeLike) => {
    const meta = (node.meta ?? {}) as ActiveNode['meta'];
    if (meta.step) out.set(meta.step, [...new Set([...(out.get(meta.step) ?? []), meta.invoke ?? meta.step])]);
    for (const child of Object.values(node.states)) walk(child);
  };
  walk(entry.machine.root as unknown as NodeLike);
  return out;
}
