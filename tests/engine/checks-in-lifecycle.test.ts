import { makeTemp } from '../temp.js';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../machines/backend-engineer/context.js';
import { stateLabel } from '../../src/engine/apply.js';
import { Engine } from '../../src/engine/engine.js';
import { HANDOFF_BODY, drop, tempWorkspace, until } from './helpers.js';

const CLEAN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/fastapi-clean');


describe('the built-in checks in the lifecycle', () => {
  it('should send the run back to implementing with the findings, then hand off once the code is clean, and log the counts', async () => {
    const project = await makeTemp('teamstate-fastapi-');
    await fs.cp(CLEAN, project, { recursive: true });
    const paths = await tempWorkspace('default', (c) => {
      c.project = project;
      c.steps = { 'database-architect': { kind: 'instant' }, 'test-generator': { kind: 'instant' } };
    });
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    const run = () => engine.run('t1')!;
    const waitingFor = (step: string) => () => engine.manual.pending().some((p) => p.runId === 't1' && p.step === step);
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await until(engine, () => stateLabel(run().snapshot.value) === 'awaitingApproval.waiting', 'the plan');
      await drop(paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'APPROVED' });
      await until(engine, waitingFor('implement'), 'the implement step to wait for a person');

      // The person implements with a layer violation and a new dependency.
      const users = path.join(project, 'app/api/v1/endpoints/users.py');
      const original = await fs.readFile(users, 'utf8');
      await fs.writeFile(users, `from app.repositories.UserRepository import UserRepository\n${original}`);
      const pyproject = path.join(project, 'pyproject.toml');
      const deps = await fs.readFile(pyproject, 'utf8');
      await fs.writeFile(pyproject, deps.replace('"httpx>=0.27.0",', '"httpx>=0.27.0",\n    "requests>=2.32.0",'));
      await engine.complete('t1', 'implement', { status: 'done', output: { text: 'Files changed:\n- app/api/v1/endpoints/users.py\n- pyproject.toml' } });
      await until(engine, () => waitingFor('implement')() && (run().snapshot.context as unknown as RunContext).implementRound === 1, 'the second implement round');

      const c = run().snapshot.context as unknown as RunContext;
      expect(c.findings).toMatch(/architecture-validator/);
      expect(c.findings).toMatch(/security-auditor/);
      const implementInput = run().steps.implement!.input as { findings?: string };
      expect(implementInput.findings).toBe(c.findings);
      const report = await fs.readFile(path.join(paths.step('t1', 'architecture-validator', 1), 'report.md'), 'utf8');
      expect(report).toMatch(/layer-endpoint-repository|Endpoint.*Repository/i);

      await fs.writeFile(users, original);
      await fs.writeFile(pyproject, deps);
      await engine.complete('t1', 'implement', { status: 'done', output: { text: 'Files changed:\n- app/api/v1/endpoints/users.py' } });
      await until(engine, () => run().snapshot.value === 'verifying', 'the hand-off');
      await drop(paths, 'backend-engineer', { from: 'sentinel', type: 'PASS', priority: 'LOW', task: 't1', body: '## SENTINEL: ALL CLEAR' });
      await until(engine, () => run().snapshot.value === 'done', 'done');

      const log = await fs.readFile(path.join(project, '.claude/memory/agent-logs/backend-engineer.md'), 'utf8');
      expect(log).toMatch(/Layer violations found: [1-9]/);
      expect(log).toMatch(/First-pass success: no/);
    } finally {
      await engine.stop();
    }
  });
});
