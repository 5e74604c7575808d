import { initialTransition } from 'xstate';
import type { MachineEntry } from '../../machines/index.js';
import { persist, stateLabel } from './apply.js';
import type { RunRecord, RunState } from './run-state.js';
import { newRunState } from './run-state.js';

// How a run begins: its machine's input, its first state and record, and which events may start one.

/** A run's task, as its input names it. */
export type Task = { id: string; subject: string; description: string };

/** The machine's first state for `input`, and the `created` record that journals it (seq 1). */
export function newRun(entry: MachineEntry, runId: string, input: unknown, now: number): { state: RunState; record: RunRecord } {
  const [snapshot] = initialTransition(entry.machine, input);
  const state = newRunState(runId, { id: entry.id, version: entry.version }, persist(snapshot), now);
  return { state, record: { seq: 1, at: now, kind: 'created', machine: state.machine, input, state } };
}

/** The machine's first state, as any new run would begin. */
export type FirstState = ReturnType<typeof initialTransition>[0];

/**
 * Why `event` cannot start a new run (a run its first state would not take it in would
 * wait for ever), or undefined when it can: a message from the engine's own member
 * (`self`) never starts one, nor one the machine's first state has no place for.
 */
export function refusalToStart(entry: MachineEntry, self: string, first: () => FirstState, event: { type: string; from?: string }): string | undefined {
  if (event.from === self) return `a ${event.type} from ${self}, this engine's own member, does not start a run: a teammate does not hand work to itself`;
  const state = first();
  if (state.can(event as never)) return undefined;
  return `a ${event.type} from ${event.from ?? 'an unknown sender'} does not start a run: ${entry.explain(stateLabel(state.value), state.status, event)}`;
}
