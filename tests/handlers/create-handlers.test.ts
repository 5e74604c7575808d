import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { createHandlers } from '../../src/handlers/index.js';
import { createManualHandler } from '../../src/handlers/manual.js';
import { checkPlanFormat } from '../../src/handlers/plan-format.js';
import { DEFAULT_STEPS, SUBAGENTS, STEPS, handlerSchema } from '../../src/workspace/config-schema.js';
import type { HandlerConfig, StepName } from '../../src/workspace/config-schema.js';
import { FAKE_LLM, fixture, request, tempWorld } from './helpers.js';

const templatesDir = join(import.meta.dirname, '..', '..', 'templates', 'prompts');

function steps(kind: (step: StepName) => HandlerConfig): { steps: Record<StepName, HandlerConfig> } {
  return { steps: Object.fromEntries(STEPS.map((s) => [s, kind(s)])) as Record<StepName, HandlerConfig> };
}

async function setup(config: { steps: Record<StepName, HandlerConfig> }) {
  const world = await tempWorld();
  const manual = createManualHandler();
  const handlers = createHandlers(config, { workspaceDir: world.root, projectDir: world.project, manual, templatesDir, sleep: async () => {} });
  return { world, manual, handlers };
}

describe('createHandlers', () => {
  it('builds instant handlers that give well-formed results for every step', async () => {
    const { world, handlers } = await setup(steps(() => ({ kind: 'instant' })));
    const handoff = await fixture('handoff-order-cancel.md');
    const plan = await handlers.plan(await request(world, 'plan', { input: { handoff } }));
    expect(plan.status).toBe('done');
    if (plan.status !== 'done') return;
    expect(checkPlanFormat(plan.output.text)).toEqual([]);
    expect(plan.output.plan).toMatchObject({ schemaChange: true, landmines: 3, touchesDoNotTouch: [] });
    expect(plan.output.plan!.files).toEqual(plan.output.files);
    const impl = await handlers.implement(await request(world, 'implement', { input: { handoff, plan: plan.output.text } }));
    expect(impl).toMatchObject({ status: 'done', output: { files: plan.output.files } });
    for (const agent of SUBAGENTS) {
      const outcome = await handlers[agent](await request(world, agent, { input: { plan: plan.output.text, files: plan.output.files ?? [] } }));
      expect(outcome, agent).toMatchObject({ status: 'done', output: { findings: { blocking: 0 } } });
    }
  });

  it('refuses a built-in implement with what to use instead', () => {
    const config = { steps: { ...DEFAULT_STEPS, implement: { kind: 'builtin' } as HandlerConfig } };
    expect(() => createHandlers(config, { workspaceDir: '/w', projectDir: '/p', manual: createManualHandler() })).toThrow(UserError);
    expect(() => createHandlers(config, { workspaceDir: '/w', projectDir: '/p', manual: createManualHandler() })).toThrow(/steps\.implement: there is no built-in implement \(built-ins: .*\); use \{"kind":"command"/);
  });

  it('drafts the plan with the built-in, deciding new files from the project on disk', async () => {
    const { world, handlers } = await setup({ steps: DEFAULT_STEPS });
    await mkdir(join(world.project, 'app', 'services'), { recursive: true });
    await writeFile(join(world.project, 'app', 'services', 'OrderService.py'), '');
    const outcome = await handlers.plan(await request(world, 'plan', { input: { handoff: await fixture('handoff-order-cancel.md') } }));
    expect(outcome.status).toBe('done');
    const text = outcome.status === 'done' ? outcome.output.text : '';
    expect(text).toMatch(/- Modified files:\n {2}- app\/services\/OrderService\.py/);
    expect(text).toMatch(/- New files:\n(?: {2}- .*\n)* {2}- app\/models\/Order\.py/);
  });

  it('gives manual steps to the shared manual handler', async () => {
    const { world, manual, handlers } = await setup({ steps: DEFAULT_STEPS });
    const waiting = handlers.implement(await request(world, 'implement'));
    await new Promise<void>((resolve) => {
      const off = manual.subscribe(() => {
        if (manual.pending().length === 0) return;
        off();
        resolve();
      });
    });
    manual.complete('r1', 'implement', { status: 'done', output: { text: 'Done.\n\nFiles changed:\n- app/services/OrderService.py\n' } });
    expect(await waiting).toMatchObject({ status: 'done', output: { files: ['app/services/OrderService.py'] } });
  });

  it('runs sub-agents through a command and reads their findings, blocking the first time only', async () => {
    const command = handlerSchema.parse({ kind: 'command', argv: [process.execPath, FAKE_LLM], retries: 0, env: { FAKE_LLM_FINDINGS: 'code-reviewer:2' } });
    const { world, handlers } = await setup(steps(() => command));
    const first = await handlers['code-reviewer'](await request(world, 'code-reviewer'));
    expect(first).toMatchObject({ status: 'done', output: { findings: { blocking: 2, counts: { high: 2 } } } });
    const again = await handlers['code-reviewer']({ ...(await request(world, 'code-reviewer')), attempt: 2, dir: join(world.steps, 'code-reviewer-2') });
    expect(again).toMatchObject({ status: 'done', output: { findings: { blocking: 0 } } });
    const auditor = await handlers['security-auditor'](await request(world, 'security-auditor'));
    expect(auditor).toMatchObject({ status: 'done', output: { findings: { blocking: 0, counts: { low: 1 } } } });
  });

  it('runs plan and implement through the fake LLM, the implementation listing the plan files', async () => {
    const command = handlerSchema.parse({ kind: 'command', argv: [process.execPath, FAKE_LLM], retries: 0 });
    const { world, handlers } = await setup(steps(() => command));
    const handoff = await fixture('handoff-order-cancel.md');
    const plan = await handlers.plan(await request(world, 'plan', { input: { handoff } }));
    expect(plan).toMatchObject({ status: 'done', output: { files: expect.arrayContaining(['app/models/Order.py', 'app/api/v1/endpoints/orders.py']) } });
    const planText = plan.status === 'done' ? plan.output.text : '';
    const impl = await handlers.implement(await request(world, 'implement', { input: { handoff, plan: planText } }));
    expect(impl).toMatchObject({ status: 'done', output: { files: plan.status === 'done' ? plan.output.files : [] } });
  });

  it("keeps the fake LLM's plan-check findings apart from its code-review findings", async () => {
    const command = handlerSchema.parse({ kind: 'command', argv: [process.execPath, FAKE_LLM], retries: 0, env: { FAKE_LLM_PLAN_FINDINGS: '1', FAKE_LLM_FINDINGS: 'architecture-validator:2' } });
    const { world, handlers } = await setup(steps(() => command));
    const onPlan = await handlers['architecture-validator'](await request(world, 'architecture-validator', { input: { mode: 'plan', planFiles: ['app/services/A.py'] } }));
    expect(onPlan).toMatchObject({ status: 'done', output: { findings: { blocking: 1 } } });
    const onCode = await handlers['architecture-validator']({ ...(await request(world, 'architecture-validator', { input: { mode: 'code' } })), dir: join(world.steps, 'architecture-validator-2') });
    expect(onCode).toMatchObject({ status: 'done', output: { findings: { blocking: 2 } } });
  });
});
