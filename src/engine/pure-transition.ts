import type { AnyActorScope, AnyMachineSnapshot, AnyStateMachine, EventObject } from 'xstate';
import { createActor } from 'xstate';

/** One inert actor scope per machine: making one costs a whole initial state of the machine. */
const scopes = new WeakMap<AnyStateMachine, { scope: AnyActorScope; actions: unknown[] }>();

/**
 * XState's pure `transition(machine, snapshot, event)`: the next snapshot and the actions
 * to execute, none executed. XState builds a fresh inert actor (and with it the machine's
 * initial state) for every call; this keeps one per machine and only collects each call's
 * actions, which transitions are synchronous enough to allow. Actors it spawns are never
 * started, so nothing registers in the scope's system and nothing accumulates there.
 */
export function pureTransition(machine: AnyStateMachine, snapshot: AnyMachineSnapshot, event: EventObject): [AnyMachineSnapshot, unknown[]] {
  let held = scopes.get(machine);
  if (!held) {
    const self = createActor(machine);
    const actions: unknown[] = [];
    const scope = {
      self,
      system: self.system,
      id: '',
      sessionId: '',
      defer: () => {},
      logger: () => {},
      stopChild: () => {},
      emit: () => {},
      actionExecutor: (action: unknown) => void actions.push(action),
    } as unknown as AnyActorScope;
    held = { scope, actions };
    scopes.set(machine, held);
  }
  held.actions.length = 0;
  const next = machine.transition(snapshot, event, held.scope) as AnyMachineSnapshot;
  return [next, held.actions.splice(0)];
}
