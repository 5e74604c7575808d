import { CHECK_AGENTS } from '../checks/types.js';
import type { CheckAgent } from '../checks/types.js';
import type { StepName } from '../workspace/config-schema.js';

export const isCheckAgent = (step: string): step is CheckAgent => (CHECK_AGENTS as readonly string[]).includes(step);

/**
 * Why `steps.<step>` cannot be the built-in `name` (left out: the step's own), or
 * undefined when it can: the plan drafter for `plan`, the checks for the check agents, no
 * built-in for the other steps. Known without loading the built-ins (a start checks it).
 */
export function builtinProblem(step: StepName, name: string | undefined): string | undefined {
  if (step === 'plan') return name === undefined || name === 'draft-plan' ? undefined : `steps.plan: no built-in named "${name}"; use "draft-plan" or leave name out`;
  if (isCheckAgent(step)) return name === undefined || name === 'checks' ? undefined : `steps.${step}: no built-in named "${name}"; use "checks" or leave name out`;
  return `steps.${step}: there is no built-in ${step} (built-ins: plan, ${CHECK_AGENTS.join(', ')}); use {"kind":"command","argv":[…]} or {"kind":"manual"}`;
}
