import { SUBAGENTS } from '../workspace/config-schema.js';
import type { StepName, Subagent } from '../workspace/config-schema.js';
import { pathsIn } from './paths.js';
import { planFacts } from './plan-format.js';
import { REPORT_FORMATS, parseSubagentReport } from './reports.js';
import type { StepHandler, StepOutput } from './types.js';

export const isSubagent = (step: StepName): step is Subagent => (SUBAGENTS as readonly string[]).includes(step);

/**
 * The files an implementation summary lists: the items under a "Files changed:" (or
 * "Files:") label when there is one, else every path the text names.
 */
export function changedFiles(text: string): string[] {
  const lines = text.replaceAll('\r\n', '\n').split('\n');
  const at = lines.findIndex((l) => /^[\s#*>-]*(files changed|changed files|files)\b[*\s]*:/i.test(l));
  if (at < 0) return pathsIn(text);
  const out: string[] = pathsIn(lines[at]!.slice(lines[at]!.indexOf(':') + 1));
  for (const line of lines.slice(at + 1)) {
    if (/^\s*#/.test(line) || (line.trim() !== '' && !/^\s*([-*+]|\d+[.)])\s/.test(line))) break;
    const first = pathsIn(line)[0];
    if (first && !out.includes(first)) out.push(first);
  }
  return out;
}

/**
 * A step's output from its text, as a command or a person gave it: the files of a plan
 * or an implementation, the findings of a sub-agent's report. What is already given is kept.
 */
export function outputFromText(step: StepName, text: string, given: Partial<StepOutput> = {}): StepOutput {
  const out: StepOutput = { ...given, text };
  if (step === 'plan') {
    const facts = planFacts(text);
    out.files ??= facts.files;
    out.plan ??= { files: facts.files, schemaChange: facts.schemaChange, landmines: facts.landmines, touchesDoNotTouch: facts.touchesDoNotTouch };
  }
  else if (step === 'implement' || step === 'fix') out.files ??= changedFiles(text);
  else if (isSubagent(step)) out.findings ??= parseSubagentReport(step, text);
  return out;
}

/** Why a step's output cannot count as its result (a sub-agent report that cannot be read), with what is expected. */
export function outputProblem(step: StepName, output: StepOutput): string | undefined {
  const why = output.findings?.unreadable;
  if (why === undefined || !isSubagent(step)) return undefined;
  return `the ${step} report was not understood: ${why}; expected ${REPORT_FORMATS[step]}`;
}

/**
 * Wraps a handler so that a done outcome carries the files and findings its text holds.
 * A report that cannot be read is a failed step (retried, then handed to a person), never a pass.
 */
export function withInterpretedOutput(step: StepName, handler: StepHandler): StepHandler {
  return async (request) => {
    const outcome = await handler(request);
    if (outcome.status !== 'done') return outcome;
    const output = outputFromText(step, outcome.output.text, outcome.output);
    const problem = outputProblem(step, output);
    return problem ? { status: 'failed', reason: problem } : { ...outcome, output };
  };
}
