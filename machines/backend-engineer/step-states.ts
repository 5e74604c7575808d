import type { StepInput } from '../../src/handlers/types.js';
import type { RunContext } from './context.js';
import { backendEngineerSetup } from './setup.js';
import type { StepEvent, StepName, Subagent } from './steps.js';
import { outcomeOf, stepInput } from './steps.js';

type Setup = typeof backendEngineerSetup;
type StateConfig = Parameters<Setup['createStateConfig']>[0];
/** Where a step's success leads, and what it does on the way. */
type Done = { target: string; actions?: NonNullable<Extract<NonNullable<StateConfig['always']>, { actions?: unknown }>['actions']> };

/**
 * A step's states: running the work, or stuck until a person retries or completes it.
 * `meta.step` names the step a person acts on here; `id` is the invocation's id.
 */
export function stepStates(id: string, src: StepName, input: (c: RunContext) => StepInput, done: Done) {
  const forMe = ({ event }: { event: StepEvent }) => event.step === id;
  const forMeDone = ({ event }: { event: StepEvent }) => event.step === id && outcomeOf(event).status === 'done';
  return backendEngineerSetup.createStateConfig({
    meta: { step: src, invoke: id },
    initial: 'running',
    states: {
      running: {
        tags: ['working'],
        entry: 'clearBlocked',
        invoke: {
          id,
          src,
          input: ({ context }) => input(context),
          onDone: [{ guard: 'succeeded', ...done }, { target: 'stuck', actions: 'noteStuck' }],
          onError: { target: 'stuck', actions: 'noteStuck' },
        },
      },
      stuck: {
        tags: ['waiting-on-person'],
        on: {
          RETRY: { guard: forMe, target: 'running' },
          STEP_COMPLETED: [
            { guard: forMeDone, ...done },
            { guard: forMe, target: 'stuck', reenter: true, actions: 'noteStuck' },
          ],
        },
      },
    },
  });
}

/** A sub-agent's region of the parallel state: it runs (database-architect only on a schema change), then finishes. */
export function subagentRegion(agent: Subagent) {
  const steps = stepStates(agent, agent, (c) => stepInput(c, 'code'), { target: `#backend-engineer.subDelegating.${agent}.finished`, actions: 'recordFinding' });
  const deciding = backendEngineerSetup.createStateConfig({ always: [{ guard: 'schemaChange', target: 'running' }, { target: 'finished', actions: 'recordSkipped' }] });
  return backendEngineerSetup.createStateConfig({
    meta: steps.meta,
    initial: agent === 'database-architect' ? 'deciding' : 'running',
    states: {
      ...steps.states,
      ...(agent === 'database-architect' ? { deciding } : {}),
      finished: { type: 'final' },
    },
  });
}
