import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { outputFromText } from './output.js';
import { checkPlanFormat } from './plan-format.js';
import { addUsage } from './llm/usage.js';
import type { StepHandler, StepOutcome } from './types.js';

/**
 * The plan step runner: runs the configured handler and checks the plan against the
 * submission format. A plan missing sections is asked for once more, with the missing
 * sections named in the prompt (in a `format-retry/` folder beside the first answer);
 * still incomplete, the step goes to a person with the missing sections as the reason.
 * A complete plan comes back with the files it names.
 */
export function withPlanFormatCheck(handler: StepHandler): StepHandler {
  return async (request) => {
    let outcome = await handler(request);
    if (outcome.status !== 'done') return outcome;
    // Both answers were paid for: the step's usage is their sum.
    const first = outcome.usage;
    const paid = (o: StepOutcome): StepOutcome => {
      const usage = first && o.usage ? addUsage(first, o.usage) : (o.usage ?? first);
      return usage ? { ...o, usage } : o;
    };
    let missing = checkPlanFormat(outcome.output.text);
    if (missing.length > 0 && !request.signal.aborted) {
      const dir = join(request.dir, 'format-retry');
      await mkdir(dir, { recursive: true });
      outcome = await handler({ ...request, dir, missingSections: missing });
      if (outcome.status !== 'done') return paid(outcome);
      missing = checkPlanFormat(outcome.output.text);
    }
    if (missing.length > 0) {
      return paid({ status: 'needs-person', reason: `the plan is not in the submission format: it lacks ${missing.join(', ')}` });
    }
    return paid({ status: 'done', output: outputFromText('plan', outcome.output.text, outcome.output) });
  };
}
