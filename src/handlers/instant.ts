import { renderCleanReport } from './clean-reports.js';
import { isSubagent, outputFromText } from './output.js';
import { draftPlan } from './plan-draft.js';
import { planFacts } from './plan-format.js';
import type { StepHandler } from './types.js';

/**
 * Completes every step at once with a well-formed result: the built-in drafter's plan,
 * an implementation that lists the plan's files, sub-agent reports that find nothing.
 * For demos and for driving the machine end to end in tests.
 */
export function createInstantHandler(): StepHandler {
  return async (request) => {
    const { input, step } = request;
    if (step === 'plan') return { status: 'done', output: outputFromText(step, draftPlan(input)) };
    const files = input.plan ? planFacts(input.plan).files : input.files;
    if (isSubagent(step)) return { status: 'done', output: outputFromText(step, renderCleanReport(step, files.length ? files : input.files)) };
    const what = step === 'fix' && input.issue ? `Fixed the ${input.issue.type} from ${input.issue.from}.` : `Implemented the plan for ${input.task.subject}.`;
    const text = `${what}\n\nFiles changed:\n${files.map((f) => `- ${f}`).join('\n')}\n`;
    return { status: 'done', output: { text, files } };
  };
}
