/**
 * Built-in, deterministic checks of the backend-engineer's enforced rules, run as the
 * architecture-validator, code-reviewer and security-auditor sub-agents would, on the
 * Python (FastAPI) project under work. No LLM: a Python parser (the @lezer/python grammar,
 * patched in ./grammar) and rules.
 */
import type { ChecksConfig } from '../workspace/config-schema.js';
import { runChecks, runPlanned } from './run.js';
import type { CheckOptions, CheckResult, Finding, Layout } from './types.js';

export type { CheckAgent, CheckOptions, CheckResult, DependencyBaseline, Finding, Layout, Severity } from './types.js';
export { CHECK_AGENTS } from './types.js';
export { RULES, type RuleInfo } from './catalog.js';
export { dependencyBaseline } from './deps.js';
export { renderReport, renderReports, findingsOf } from './report.js';
export { renderSummary } from './summary.js';

/**
 * Checks the project's Python files (tests, migrations and virtualenvs left out). Each
 * file is read once (a few at a time), parsed once, and every enabled rule runs over that
 * tree. Files the parser cannot read whole are listed in `unparsable`; they never stop the check.
 * @throws UserError when `projectDir` is not a folder or `rules` names an unknown rule.
 */
export async function checkProject(projectDir: string, opts?: CheckOptions): Promise<CheckResult> {
  return runChecks(projectDir, opts);
}

/**
 * The architecture-validator's pre-check of a plan: naming and placement rules on the
 * plan's file list, before the files exist (findings have line 0). `layout` (e.g. from a
 * checkProject result) says where the project's layers are; without it they are found
 * from the paths, with missing layers assumed beside the found ones.
 */
export function checkPlannedFiles(paths: string[], config?: ChecksConfig, layout?: Layout): Finding[] {
  return runPlanned(paths, config, layout);
}
