import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../src/handlers/command.js';
import { withPlanFormatCheck } from '../../src/handlers/plan-step.js';
import type { StepHandler, StepRequest } from '../../src/handlers/types.js';
import { FAKE_LLM, commandConfig, fixture, request, tempWorld } from './helpers.js';

const templatesDir = join(import.meta.dirname, '..', '..', 'templates', 'prompts');
const GOOD = `### Task: t
### Architecture approach:
- Layers affected: service
- New files: none
- Modified files: app/services/A.py
### Schema changes: none
### Migration needed: no
### Security considerations: none
### Estimated scope: 1 file
`;

/** A handler answering each ask with the next text, recording the requests. */
function scripted(...answers: string[]): { handler: StepHandler; asks: StepRequest[] } {
  const asks: StepRequest[] = [];
  return { asks, handler: async (r) => (asks.push(r), { status: 'done', output: { text: answers[asks.length - 1] ?? '' } }) };
}

describe('the plan step runner', () => {
  it('returns a complete plan with its files', async () => {
    const world = await tempWorld();
    const { handler, asks } = scripted(GOOD);
    expect(await withPlanFormatCheck(handler)(await request(world, 'plan'))).toEqual({
      status: 'done',
      output: { text: GOOD, files: ['app/services/A.py'], plan: { files: ['app/services/A.py'], schemaChange: false, landmines: 0, touchesDoNotTouch: [] } },
    });
    expect(asks).toHaveLength(1);
  });

  it('asks once more naming the missing sections, then accepts a complete plan', async () => {
    const world = await tempWorld();
    const { handler, asks } = scripted(GOOD.replace(/^### Migration needed.*\n/m, ''), GOOD);
    const outcome = await withPlanFormatCheck(handler)(await request(world, 'plan'));
    expect(outcome.status).toBe('done');
    expect(asks[1]!.missingSections).toEqual(['Migration needed']);
    expect(asks[1]!.dir).toBe(join(asks[0]!.dir, 'format-retry'));
  });

  it('hands the step to a person when the second answer still lacks sections', async () => {
    const world = await tempWorld();
    const { handler } = scripted('no plan here', GOOD.replace(/^### Estimated scope.*\n/m, ''));
    expect(await withPlanFormatCheck(handler)(await request(world, 'plan'))).toEqual({
      status: 'needs-person',
      reason: 'the plan is not in the submission format: it lacks Estimated scope',
    });
  });

  it('gets a complete plan from the fake LLM after it leaves a section out the first time', async () => {
    const world = await tempWorld();
    const command = createCommandHandler(commandConfig({ argv: [process.execPath, FAKE_LLM], env: { FAKE_LLM_BAD_PLAN: '1' } }), { prompts: { templatesDir } });
    const outcome = await withPlanFormatCheck(command)(await request(world, 'plan', { input: { handoff: await fixture('handoff-order-cancel.md') } }));
    expect(outcome.status).toBe('done');
    if (outcome.status !== 'done') return;
    expect(outcome.output.text).toContain('### Security considerations:');
    expect(outcome.output.files).toContain('app/models/Order.py');
  });
});
