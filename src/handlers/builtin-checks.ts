import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkProject, findingsOf, renderReport } from '../checks/index.js';
import type { CheckAgent, DependencyBaseline } from '../checks/index.js';
import type { ChecksConfig } from '../workspace/config-schema.js';
import { checkPlan } from './plan-check.js';
import type { StepOutcome, StepRequest } from './types.js';

/** Keeps the report beside the step's other files, as a command's output would be. */
async function keep(dir: string, text: string): Promise<void> {
  await writeFile(join(dir, 'report.md'), text).catch(() => {});
}

/**
 * One built-in check step, as the sub-agent's report: the naming and placement rules on
 * the plan's files (architecture-validator in mode `plan`), else the checks of src/checks
 * on the code. Loaded by builtin.ts on the first check step (it brings the Python parser).
 */
export async function runChecks(agent: CheckAgent, checks: ChecksConfig | undefined, request: StepRequest): Promise<StepOutcome> {
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
}
