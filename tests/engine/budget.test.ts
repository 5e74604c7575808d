import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stateLabel } from '../../src/engine/apply.js';
import { Engine } from '../../src/engine/engine.js';
import { summarize } from '../../src/engine/view.js';
import { HANDOFF_BODY, drop, settle, tempWorkspace } from './helpers.js';
import { makeTemp } from '../temp.js';

const FAKE_CLI = fileURLToPath(new URL('../../scripts/fake-cli.mjs', import.meta.url));

const calls = async (log: string) => (existsSync(log) ? (await fs.readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { step: string; argv: string[] }) : []);

describe('a run with a budget (limits.maxCostUsd)', () => {
  it('should pass claude what is left of it, stop when it is spent, and wait for a person with the reason', async () => {
    const project = await makeTemp('teamstate-budget-');
    const log = path.join(await makeTemp('teamstate-argv-'), 'argv.jsonl');
    const claude = { kind: 'command', preset: 'claude', argv: [process.execPath, FAKE_CLI, 'claude'], retries: 0, env: { FAKE_CLI_ARGV_LOG: log, FAKE_CLI_COST: '0.05' } };
    const paths = await tempWorkspace('instant', (c) => {
      c.project = project;
      c.limits = { maxCostUsd: 0.08 };
      c.steps = { ...(c.steps as object), plan: claude, implement: claude, 'code-reviewer': { kind: 'builtin' } };
    });
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await settle(engine);
      expect(stateLabel(engine.run('t1')!.snapshot.value)).toBe('awaitingApproval.waiting');
      expect((await calls(log))[0]!.argv.slice(-2)).toEqual(['--max-budget-usd', '0.0800']);

      await drop(paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'APPROVED' });
      await settle(engine);
      // Implement had $0.03 left; claude spent $0.05 and stopped at its budget.
      expect((await calls(log))[1]!.argv.slice(-2)).toEqual(['--max-budget-usd', '0.0300']);
      const run = engine.run('t1')!;
      expect(stateLabel(run.snapshot.value)).toBe('implementing.working.stuck');
      const s = summarize(run);
      expect(s.waitsOn).toBe('person');
      expect(s.waitingFor).toMatch(/^a person: `claude` stopped at its budget \(error_max_budget_usd: Reached maximum budget \(\$0\.0300\)\); the run has reached limits\.maxCostUsd/);
      expect(s.usage).toMatchObject({ costUsd: 0.1 });

      // A retry does not spend more: the run is over its budget before the CLI is started.
      await engine.retry('t1', 'implement');
      await settle(engine);
      expect(await calls(log)).toHaveLength(2);
      expect(summarize(engine.run('t1')!).waitingFor).toMatch(/^a person: the run has cost \$0\.10 of its \$0\.08 budget \(limits\.maxCostUsd\)/);
    } finally {
      await engine.stop();
    }
  });
});
