import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHECK_AGENTS, checkProject, findingsOf, renderReport } from '../checks/index.js';
import type { CheckAgent, DependencyBaseline } from '../checks/index.js';
import { UserError } from '../errors.js';
import type { ChecksConfig, StepName } from '../workspace/config-schema.js';
import { isSubagent, outputFromText } from './output.js';
import { checkPlan } from './plan-check.js';
import { draftPlan } from './plan-draft.js';
import type { StepHandler, StepOutcome } from './types.js';

const isCheckAgent = (step: string): step is CheckAgent => (CHECK_AGENTS as readonly string[]).includes(step);

/** Keeps the report beside the step's other files, as a command's output would be. */
async function keep(dir: string, text: string): Promise<void> {
  await writeFile(join(dir, 'report.md'), text).catch(() => {});
}

function checksHandler(agent: CheckAgent, checks: ChecksConfig | undefined): StepHandler {
  return async (request): Promise<StepOutcome> => {
    try {
      if (agent === 'architecture-validator' && request.input.mode === 'plan') {
        const { text, files, findings } = checkPlan(request.input, checks);
        await keep(request.dir, text);
        return { status: 'done', output: { text, files, findings } };
      }
      const files = request.input.files.length ? request.input.files : undefined;
      const deps = request.dependencies;
      const result = await checkProject(request.projectDir, {
        agents: [agent],
        ...(files ? { files } : {}),
        ...(checks ? { config: checks } : {}),
        ...(deps ? { baseline: deps.baseline as DependencyBaseline, approvedDependencies: deps.approved } : {}),
      });
      const found = findingsOf(agent, result);
      // A changed file that is not in the project was not checked: it must not read as a pass.
      const missing = (files ?? []).filter((f) => f.endsWith('.py') && !existsSync(join(request.projectDir, f)));
      const text = renderReport(agent, result) + (missing.length ? `\n## Not checked (blocking)\n${missing.map((f) => `- ${f}: listed as changed, but not in the project (${request.projectDir})`).join('\n')}\n` : '');
      await keep(request.dir, text);
      const findings = missing.length
        ? { blocking: found.blocking + missing.length, counts: { ...found.counts, missing: missing.length }, summary: `${missing.length} changed file${missing.length === 1 ? '' : 's'} not found (${missing.join(', ')}); ${found.summary}` }
        : found;
      return { status: 'done', output: { text, files: files ?? [], findings } };
    } catch (e) {
      return { status: 'failed', reason: `the built-in ${agent} checks could not run: ${(e as Error).message}` };
    }
  };
}

/**
 * A step the engine does itself: the plan drafter for `plan`; the deterministic checks of
 * src/checks for architecture-validator (the plan's files in mode `plan`, the code
 * otherwise), code-reviewer and security-auditor. The other steps have no built-in: a
 * config asking for one is refused with what to use instead.
 */
export function createBuiltinHandler(step: StepName, name: string | undefined, checks?: ChecksConfig): StepHandler {
  if (step === 'plan') {
    if (name !== undefined && name !== 'draft-plan') throw new UserError(`steps.plan: no built-in named "${name}"; use "draft-plan" or leave name out`);
    return async (request) => {
      const plan = draftPlan(request.input, { exists: (p) => existsSync(join(request.projectDir, p)) });
      return { status: 'done', output: outputFromText('plan', plan) };
    };
  }
  if (isSubagent(step) && isCheckAgent(step)) {
    if (name !== undefined && name !== 'checks') throw new UserError(`steps.${step}: no built-in named "${name}"; use "checks" or leave name out`);
    return checksHandler(step, checks);
  }
  throw new UserError(
    `steps.${step}: there is no built-in ${step} (built-ins: plan, ${CHECK_AGENTS.join(', ')}); use {"kind":"command","argv":[…]} or {"kind":"manual"}`,
  );
}
