import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { StepName } from '../workspace/config-schema.js';
import { isSubagent, outputFromText } from './output.js';
import { draftPlan } from './plan-draft.js';
import type { StepHandler } from './types.js';

/** The built-ins each step can use, by the name a config may give (`{kind:'builtin', name}`). */
export const BUILTINS = { plan: ['draft-plan'], subagent: ['checks'] } as const;

/**
 * A step the engine does itself: the plan drafter for `plan`; deterministic checks for
 * the sub-agents. Implementing and fixing have no built-in: a config asking for one is
 * refused with what to use instead.
 */
export function createBuiltinHandler(step: StepName, name: string | undefined): StepHandler {
  if (step === 'plan') {
    if (name !== undefined && name !== 'draft-plan') throw new UserError(`steps.plan: no built-in named "${name}"; use "draft-plan" or leave name out`);
    return async (request) => {
      const plan = draftPlan(request.input, { exists: (p) => existsSync(join(request.projectDir, p)) });
      return { status: 'done', output: outputFromText('plan', plan) };
    };
  }
  if (isSubagent(step)) {
    if (name !== undefined && name !== 'checks') throw new UserError(`steps.${step}: no built-in named "${name}"; use "checks" or leave name out`);
    return async () => ({
      status: 'needs-person',
      reason: `the built-in ${step} checks are not available in this build; do the review by hand, or set steps.${step} to a command or manual handler`,
    });
  }
  throw new UserError(`steps.${step}: there is no built-in ${step}; use {"kind":"command","argv":[…]} or {"kind":"manual"}`);
}
