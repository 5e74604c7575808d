import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createManualHandler } from '../../src/handlers/manual.js';
import { request, tempWorld } from './helpers.js';

const templatesDir = join(import.meta.dirname, '..', '..', 'templates', 'prompts');
const now = () => Date.parse('2026-01-02T03:04:05Z');

/** Resolves once the manual steps list something pending. */
function whenPending(manual: ReturnType<typeof createManualHandler>): Promise<void> {
  return new Promise((resolve) => {
    const off = manual.subscribe(() => {
      if (manual.pending().length === 0) return;
      off();
      resolve();
    });
  });
}

describe('manual steps', () => {
  it('waits for a person and resolves with what they complete, reading a report into findings', async () => {
    const world = await tempWorld();
    const manual = createManualHandler({ now, prompts: { templatesDir } });
    const req = await request(world, 'security-auditor');
    const waiting = manual.handler(req);
    await whenPending(manual);
    expect(manual.pending()).toEqual([{ runId: 'r1', step: 'security-auditor', since: '2026-01-02T03:04:05.000Z', dir: req.dir }]);
    expect(existsSync(join(req.dir, 'prompt.md'))).toBe(true);
    expect(existsSync(join(req.dir, 'context.json'))).toBe(true);
    expect(manual.complete('r1', 'code-reviewer', { status: 'failed', reason: 'x' })).toBe(false);
    const report = '## Summary\n- **Critical**: 0 issues\n- **High**: 1 issues\n';
    expect(manual.complete('r1', 'security-auditor', { status: 'done', output: { text: report } })).toBe(true);
    const outcome = await waiting;
    expect(outcome).toMatchObject({ status: 'done', output: { text: report, findings: { blocking: 1 } } });
    expect(manual.pending()).toEqual([]);
    expect(manual.complete('r1', 'security-auditor', { status: 'failed', reason: 'again' })).toBe(false);
  });

  it('passes a failure a person reports through', async () => {
    const world = await tempWorld();
    const manual = createManualHandler({ now, prompts: { templatesDir } });
    const waiting = manual.handler(await request(world, 'implement'));
    await whenPending(manual);
    manual.complete('r1', 'implement', { status: 'failed', reason: 'blocked on a design question' });
    expect(await waiting).toEqual({ status: 'failed', reason: 'blocked on a design question' });
  });

  it('stops waiting when the run aborts the step', async () => {
    const world = await tempWorld();
    const manual = createManualHandler({ now, prompts: { templatesDir } });
    const controller = new AbortController();
    const waiting = manual.handler(await request(world, 'fix', { signal: controller.signal }));
    await whenPending(manual);
    controller.abort();
    expect(await waiting).toEqual({ status: 'failed', reason: 'cancelled: the run left the step' });
    expect(manual.pending()).toEqual([]);
  });
});
