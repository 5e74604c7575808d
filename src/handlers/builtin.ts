import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { CheckAgent } from '../checks/types.js';
import type * as BuiltinChecksModule from './builtin-checks.js';
import type { ChecksConfig, StepName } from '../workspace/config-schema.js';
import { builtinProblem, isCheckAgent } from './builtin-names.js';
import { outputFromText } from './output.js';
import { draftPlan } from './plan-draft.js';
import type { StepHandler, StepOutcome } from './types.js';

type BuiltinChecks = typeof BuiltinChecksModule;

/** The checks and their Python parser, loaded on the first check step: a start, or a team whose checks are not built in, never loads them. */
let checksModule: Promise<BuiltinChecks> | undefined;

function checksHandler(agent: CheckAgent, checks: ChecksConfig | undefined): StepHandler {
  return async (request): Promise<StepOutcome> => {
    try {
      checksModule ??= import('./builtin-checks.js');
      return await (await checksModule).runChecks(agent, checks, request);
    } catch (e) {
      return { status: 'failed', reason: `the built-in ${agent} checks could not run: ${(e as Error).message}` };
    }
  };
}

/**
 * A step the engine does itself: the plan drafter for `plan`; the deterministic checks of
 * src/checks for architecture-validator (the plan's files in mode `plan`, the code
 * otherwise), code-reviewer and security-auditor. The other steps have no built-in: a
 * config asking for one is refused with what to use instead (builtin-names.ts).
 */
export function createBuiltinHandler(step: StepName, name: string | undefined, checks?: ChecksConfig): StepHandler {
  const problem = builtinProblem(step, name);
  if (problem) throw new UserError(problem);
  if (isCheckAgent(step)) return checksHandler(step, checks);
  return async (request) => {
    const plan = draftPlan(request.input, { exists: (p) => existsSync(join(request.projectDir, p)) });
    return { status: 'done', output: outputFromText('plan', plan) };
  };
}
