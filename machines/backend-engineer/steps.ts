import { fromPromise } from 'xstate';
import type { StepInput, StepOutcome } from '../../src/handlers/types.js';
import type { RunContext } from './context.js';

/**
 * The shape every step takes in the machine: an invoked actor named by its step, done or
 * stuck until a person retries or completes it. Configs only; the machine names the
 * guards and actions they refer to.
 */

/** The five sub-agents that review an implementation side by side. */
export const SUBAGENTS = ['architecture-validator', 'database-architect', 'code-reviewer', 'security-auditor', 'test-generator'] as const;
export type Subagent = (typeof SUBAGENTS)[number];
/** Every step the machine invokes; each is done by the handler the config names for it. */
export const STEPS = ['plan', 'implement', 'fix', ...SUBAGENTS] as const;
export type StepName = (typeof STEPS)[number];

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

export function escalation(kind: 'plan' | 'fix' | 'findings', reason: string): Pick<RunContext, 'escalation' | 'blocked'> {
  return { escalation: { kind, reason }, blocked: reason };
}

export function hasBlocking(c: RunContext): boolean {
  return Object.values(c.subagents).some((r) => r.status === 'failed' || (r.status === 'done' && r.blocking > 0));
}
