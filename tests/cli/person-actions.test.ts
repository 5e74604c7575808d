import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateLabel } from '../../src/engine/apply.js';
import { awaitVerdict, queueControl } from '../../src/engine/control.js';
import { Engine } from '../../src/engine/engine.js';
import { HANDOFF_BODY, drop, tempWorkspace, until } from '../engine/helpers.js';
import type { CliResult } from '../workspace/cli-helpers.js';
import { runCli } from '../workspace/cli-helpers.js';

/** Runs the CLI while the in-process engine (no watcher) scans, as a running engine would. */
async function act(engine: Engine, args: string[], cwd: string): Promise<CliResult> {
  let done = false;
  const cli = runCli([...args, '--workspace', engine.paths.root], { cwd }).finally(() => (done = true));
  while (!done) {
    await engine.scan();
    await new Promise((r) => setTimeout(r, 25));
  }
  return cli;
}

describe('a person acting from the CLI', () => {
  it('should wait for the running engine to apply a decision and a manual step, and exit 1 at once for a mistake it can see', async () => {
    const paths = await tempWorkspace('default', (c) => {
      c.project = '.';
      c.conductor = 'person';
      c.steps = { 'code-reviewer': { kind: 'instant' }, 'security-auditor': { kind: 'instant' }, 'architecture-validator': { kind: 'instant' }, 'database-architect': { kind: 'instant' }, 'test-generator': { kind: 'instant' } };
    });
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    const label = () => stateLabel(engine.run('t1')?.snapshot.value ?? '');
    const cwd = paths.root;
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await until(engine, () => label() === 'awaitingApproval.waiting', 'the plan');

      // Mistakes the journal shows: refused before anything is queued.
      const ghost = await runCli(['cancel', 'ghost', '--workspace', paths.root], { cwd });
      expect(ghost).toMatchObject({ code: 1, stdout: '' });
      expect(ghost.stderr).toMatch(/no run "ghost"/);
      const typo = await runCli(['retry', 't1', 'fixx', '--workspace', paths.root], { cwd });
      expect(typo).toMatchObject({ code: 1 });
      expect(typo.stderr).toMatch(/"fixx" is not a step; the steps are plan, implement, fix/);
      const early = await runCli(['complete', 't1', 'implement', '--workspace', paths.root], { cwd });
      expect(early).toMatchObject({ code: 1 });
      expect(early.stderr).toMatch(/run t1 is not waiting on step "implement" \(it is awaitingApproval\.waiting\)/);
      expect((await fs.readdir(paths.controlDir)).filter((n) => !n.startsWith('.'))).toEqual([]);

      const rejected = await act(engine, ['decide', 't1', '--reject', '--feedback', 'name the migration'], cwd);
      expect(rejected).toMatchObject({ code: 0, stdout: `applied by the running engine (pid ${process.pid})\n` });
      await until(engine, () => (engine.run('t1')!.snapshot.context as { revision: number }).revision === 1 && label() === 'awaitingApproval.waiting', 'the revision');
      expect((engine.run('t1')!.snapshot.context as { rejections: string[] }).rejections).toEqual(['name the migration']);
      expect((await act(engine, ['decide', 't1', '--approve'], cwd)).code).toBe(0);
      await until(engine, () => engine.manual.pending().some((p) => p.step === 'implement'), 'the manual implement step');

      const out = path.join(paths.root, 'impl.md');
      await fs.writeFile(out, 'Files changed:\n- app/models/User.py\n- app/services/UserService.py\n');
      expect(await act(engine, ['complete', 't1', 'implement', '--file', out], cwd)).toMatchObject({ code: 0, stdout: `applied by the running engine (pid ${process.pid})\n` });
      await until(engine, () => engine.run('t1')!.snapshot.value === 'verifying', 'the hand-off');
      expect((engine.run('t1')!.snapshot.context as { files: string[] }).files).toEqual(['app/models/User.py', 'app/services/UserService.py']);

      const usage = await runCli(['decide', 't1', '--workspace', paths.root], { cwd });
      expect(usage).toMatchObject({ code: 1, stderr: 'teamstate: say --approve or --reject\n' });

      expect((await act(engine, ['cancel', 't1', '--reason', 'out of scope'], cwd)).code).toBe(0);
      const again = await runCli(['cancel', 't1', '--workspace', paths.root], { cwd });
      expect(again).toMatchObject({ code: 1 });
      expect(again.stderr).toMatch(/run t1 has finished \(cancelled\); cancel changes nothing/);
    } finally {
      await engine.stop();
    }
  });

  it('should refuse a decision where the conductor member decides, as the UI does', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.project = '.';
    });
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't2', body: HANDOFF_BODY });
      await until(engine, () => stateLabel(engine.run('t2')?.snapshot.value ?? '') === 'awaitingApproval.waiting', 'the plan');
      const r = await runCli(['decide', 't2', '--approve', '--workspace', paths.root], { cwd: paths.root });
      expect(r).toMatchObject({ code: 1 });
      expect(r.stderr).toMatch(/the conductor member decides on plans in this workspace; set "conductor": "person"/);
    } finally {
      await engine.stop();
    }
  });

  it("should report the engine's refusal of a queued action with its reason, kept beside the action", async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.project = '.';
    });
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      const file = await queueControl(paths, { action: 'cancel', run: 'ghost' });
      const [verdict] = await Promise.all([awaitVerdict(file, 60_000), engine.scan()]);
      expect(verdict).toEqual({ status: 'refused', reason: 'no run "ghost"; `teamstate runs` lists them' });
      expect(await fs.readFile(`${file}.rejected.reason.txt`, 'utf8')).toMatch(/no run "ghost"/);
      const applied = await queueControl(paths, { action: 'cancel', run: 'ghost' });
      await fs.rm(applied);
      expect(await awaitVerdict(applied, 0)).toEqual({ status: 'applied' });
    } finally {
      await engine.stop();
    }
  });
});
