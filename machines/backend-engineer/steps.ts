import { fromPromise } from 'xstate';
import type { StepInput, StepOutcome } from '../../src/handlers/types.js';
import type { RunContext } from './context.js';

/**
 * The shape every step takes in the machine: an invoked actor named by its step, done or
 * stuck until a person retries or completes it. Configs only; the machine names the
 * guards and actions they refer to.
 */

export const SUBAGENTS = ['architecture-validator', 'database-architect', 'code-reviewer', 'security-auditor', 'test-generator'] as const;

export type StepEvent = { type: string; output?: StepOutcome; outcome?: StepOutcome; error?: unknown; step?: string };

/** The outcome carried by a step's done event or by a person's STEP_COMPLETED. */
export function outcomeOf(e: StepEvent): StepOutcome {
  if (e.output) return e.output;
  if (e.outcome) return e.outcome;
  return { status: 'failed', reason: e.error instanceof Error ? e.error.message : String(e.error ?? 'the step failed') };
}

/** Placeholder work: the engine always supplies the real actors with machine.provide(). */
export const supplied = <Out = StepOutcome, In = StepInput>(name: string) =>
  fromPromise<Out, In>(async () => {
    throw new Error(`the "${name}" step has no handler: the engine supplies it with machine.provide()`);
  });

export function stepInput(c: RunContext, mode?: 'plan' | 'code'): StepInput {
  return {
    task: c.task,
    handoff: c.handoff,
    plan: c.plan,
    rejections: c.rejections,
    revision: c.revision,
    issue: c.current ? { type: c.current.type, from: c.current.from, body: c.current.body } : undefined,
    findings: c.findings,
    adaptations: c.adaptations,
    files: c.files,
    mode,
    planFiles: c.planFiles,
  };
}

/** A step's states: running the work, or stuck until a person retries or completes it. */
export function stepStates(id: string, src: string, input: (c: RunContext) => StepInput, done: object): never {
  const forMe = ({ event }: { event: StepEvent }) => event.step === id;
  const forMeDone = ({ event }: { event: StepEvent }) => event.step === id && outcomeOf(event).status === 'done';
  return {
    initial: 'running',
    states: {
      running: {
        tags: ['working'],
        entry: 'clearBlocked',
        invoke: {
          id,
          src,
          input: ({ context }: { context: RunContext }) => input(context),
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
  } as never;
}

export function subagentRegion(agent: string): never {
  const steps = stepStates(agent, agent, (c) => stepInput(c, 'code'), { target: `#backend-engineer.subDelegating.${agent}.finished`, actions: 'recordFinding' }) as { states: object };
  // Only database-architect decides whether to run: the others always do.
  const deciding = { always: [{ guard: 'schemaChange', target: 'running' }, { target: 'finished', actions: 'recordSkipped' }] };
  return {
    initial: agent === 'database-architect' ? 'deciding' : 'running',
    states: {
      ...steps.states,
      ...(agent === 'database-architect' ? { deciding } : {}),
      finished: { type: 'final' as const },
    },
  } as never;
}

export function escalation(kind: 'plan' | 'fix' | 'findings', reason: string): Pick<RunContext, 'escalation' | 'blocked'> {
  return { escalation: { kind, reason }, blocked: reason };
}

export function hasBlocking(c: RunContext): boolean {
  return Object.values(c.subagents).some((r) => r.status === 'failed' || (r.status === 'done' && r.blocking > 0));
}
