import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPrompt } from '../../src/handlers/prompts.js';
import { STEPS } from '../../src/workspace/config-schema.js';
import { request, tempWorld } from './helpers.js';

describe('prompts', () => {
  it('has a default template for every step that renders without leftover tags', async () => {
    const world = await tempWorld();
    for (const step of STEPS) {
      const text = await renderPrompt(await request(world, step, { input: { plan: 'PLAN-TEXT', files: ['app/x.py'] } }));
      expect(text, step).toContain('Cancel an order');
      expect(text, step).not.toMatch(/\{\{|\}\}/);
    }
  });

  it('puts adaptations with their reasons, rejection feedback and the rejected plan in a revision prompt', async () => {
    const world = await tempWorld();
    const text = await renderPrompt(
      await request(world, 'plan', {
        input: {
          revision: 2,
          rejections: ['Too vague about auth', 'Missing migration'],
          plan: 'OLD PLAN',
          adaptations: [{ rule: 'rejected-plans', instruction: 'Include more detail in plans', reason: '2 of the last 5 plans were rejected' }],
        },
      }),
    );
    expect(text).toContain('revision 2');
    expect(text).toContain('- Rejection 1: Too vague about auth');
    expect(text).toContain('- Rejection 2: Missing migration');
    expect(text).toContain('OLD PLAN');
    expect(text).toContain('Include more detail in plans (because 2 of the last 5 plans were rejected)');
  });

  it('names the missing sections when the plan step asks again', async () => {
    const world = await tempWorld();
    const text = await renderPrompt(await request(world, 'plan', { missingSections: ['Migration needed', 'Estimated scope'] }));
    expect(text).toContain('It lacked: Migration needed, Estimated scope.');
  });

  it('puts the findings that sent the run back, and the issue being fixed, in the prompt', async () => {
    const world = await tempWorld();
    const impl = await renderPrompt(await request(world, 'implement', { input: { findings: 'security-auditor: 1 high (SQL f-string)' } }));
    expect(impl).toContain('security-auditor: 1 high (SQL f-string)');
    const fix = await renderPrompt(await request(world, 'fix', { input: { issue: { type: 'BUG', from: 'breaker', body: 'double refund on retry' } } }));
    expect(fix).toContain('# BUG from breaker');
    expect(fix).toContain('double refund on retry');
  });

  it('uses a workspace override of a step template', async () => {
    const world = await tempWorld();
    await mkdir(join(world.root, 'prompts'));
    await writeFile(join(world.root, 'prompts', 'code-reviewer.md'), 'Review {{task.id}} for {{agent}}');
    expect(await renderPrompt(await request(world, 'code-reviewer'), { workspaceDir: world.root })).toBe('Review T-12 for code-reviewer');
    expect(await renderPrompt(await request(world, 'security-auditor'), { workspaceDir: world.root })).toContain('# Security Audit Report');
  });

  it('asks the architecture-validator to check the planned files in plan mode, and the changed files otherwise', async () => {
    const world = await tempWorld();
    const plan = await renderPrompt(await request(world, 'architecture-validator', { input: { mode: 'plan', planFiles: ['app/services/OrderService.py'], files: ['old.py'] } }));
    expect(plan).toContain('no code exists yet');
    expect(plan).toContain('- app/services/OrderService.py');
    expect(plan).not.toContain('old.py');
    const code = await renderPrompt(await request(world, 'architecture-validator', { input: { mode: 'code', files: ['app/x.py'] } }));
    expect(code).not.toContain('no code exists yet');
    expect(code).toContain('- app/x.py');
  });
});
