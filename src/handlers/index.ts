import { STEPS } from '../workspace/config-schema.js';
import type { Config, StepName } from '../workspace/config-schema.js';
import { createBuiltinHandler } from './builtin.js';
import { createCommandHandler } from './command.js';
import { createInstantHandler } from './instant.js';
import type { ManualSteps } from './manual.js';
import { withInterpretedOutput } from './output.js';
import { withPlanFormatCheck } from './plan-step.js';
import type { StepHandler } from './types.js';

export interface HandlerDeps {
  /** Its `prompts/<step>.md` override the default prompt templates. */
  workspaceDir: string;
  /** The project under work (absolute). */
  projectDir: string;
  /** Shared by every manual step, so the CLI and UI can list and complete them. */
  manual: ManualSteps;
  /** @default Date.now */
  now?: () => number;
  /** Waits between command retries. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Time a command's process group gets between SIGTERM and SIGKILL. @default 5000 */
  killGraceMs?: number;
  /** The default prompt templates (`templates/prompts` of the package when left out). */
  templatesDir?: string;
  /** Mints LLM CLI session ids. @default crypto.randomUUID */
  newId?: () => string;
}

/**
 * The handler of every step, built from `config.steps`. Each done outcome carries what its
 * text holds (plan files, changed files, sub-agent findings); the plan step also checks the
 * submission format and asks once more when sections are missing. Throws UserError for a
 * config that asks for something that does not exist (a built-in implement, say).
 */
export function createHandlers(config: Pick<Config, 'steps'> & Partial<Pick<Config, 'checks' | 'prices'>>, deps: HandlerDeps): Record<StepName, StepHandler> {
  const prompts = { workspaceDir: deps.workspaceDir, ...(deps.templatesDir ? { templatesDir: deps.templatesDir } : {}) };
  const instant = createInstantHandler();
  const build = (step: StepName): StepHandler => {
    const c = config.steps[step];
    switch (c.kind) {
      case 'instant':
        return instant;
      case 'manual':
        return deps.manual.handler;
      case 'builtin':
        return createBuiltinHandler(step, c.name, config.checks);
      case 'command':
        return createCommandHandler(c, {
          prompts,
          prices: config.prices ?? {},
          ...(deps.newId ? { newId: deps.newId } : {}),
          ...(deps.now ? { now: deps.now } : {}),
          ...(deps.sleep ? { sleep: deps.sleep } : {}),
          ...(deps.killGraceMs !== undefined ? { killGraceMs: deps.killGraceMs } : {}),
        });
    }
  };
  const out = {} as Record<StepName, StepHandler>;
  for (const step of STEPS) {
    const handler = withInterpretedOutput(step, build(step));
    out[step] = step === 'plan' ? withPlanFormatCheck(handler) : handler;
  }
  return out;
}

export { createCommandHandler } from './command.js';
export type { CommandDeps, CommandHandlerConfig } from './command.js';
export { createManualHandler } from './manual.js';
export type { ManualDeps, ManualSteps, PendingStep } from './manual.js';
export { createInstantHandler } from './instant.js';
export { createBuiltinHandler } from './builtin.js';
export { draftPlan } from './plan-draft.js';
export { parseHandoff } from './handoff.js';
export type { Handoff } from './handoff.js';
export { checkPlanFormat, planFacts, PLAN_SECTIONS } from './plan-format.js';
export type { PlanFacts, PlanSection } from './plan-format.js';
export { withPlanFormatCheck } from './plan-step.js';
export { endLeftovers } from './leftovers.js';
export { parseSubagentReport } from './reports.js';
export { outputFromText, changedFiles } from './output.js';
export { renderPrompt, loadTemplate, promptView } from './prompts.js';
export { renderTemplate } from './template.js';
export { PRESETS, defaultAccess } from './llm/presets.js';
export { addUsage, formatCost, formatTokens, ZERO_USAGE } from './llm/usage.js';
export type * from './types.js';
