import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateLabel } from '../../src/engine/apply.js';
import { Engine } from '../../src/engine/engine.js';
import { HANDOFF_BODY, drop, tempWorkspace, until } from '../engine/helpers.js';
import { runCli } from '../workspace/cli-helpers.js';


describe('a person acting from the CLI', () => {
  it('should decide as the conductor, complete a manual step from a file, and keep an action for a run that does not exist with its reason', async () => {
    const paths = await tempWorkspace('default', (c) => {
      c.project = '.';
      c.conductor = 'person';
      c.steps = { 'code-reviewer': { kind: 'instant' }, 'security-auditor': { kind: 'instant' }, 'architecture-validator': { kind: 'instant' }, 'database-architect': { kind: 'instant' }, 'test-generator': { kind: 'instant' } };
    });
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    const label = () => stateLabel(engine.run('t1')?.snapshot.value ?? '');
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await until(engine, () => label() === 'awaitingApproval.waiting', 'the plan');

      const queued = await runCli(['decide', 't1', '--reject', '--feedback', 'name the migration', '--workspace', paths.root], { cwd: paths.root });
      expect(queued).toMatchObject({ code: 0 });
      expect(queued.stdout).toBe(`queued; the running engine (pid ${process.pid}) applies it at its next scan\n`);
      await until(engine, () => (engine.run('t1')!.snapshot.context as { revision: number }).revision === 1 && label() === 'awaitingApproval.waiting', 'the revision');
      expect((engine.run('t1')!.snapshot.context as { rejections: string[] }).rejections).toEqual(['name the migration']);
      await runCli(['decide', 't1', '--approve', '--workspace', paths.root], { cwd: paths.root });
      await until(engine, () => engine.manual.pending().some((p) => p.step === 'implement'), 'the manual implement step');

      const out = path.join(paths.root, 'impl.md');
      await fs.writeFile(out, 'Files changed:\n- app/models/User.py\n- app/services/UserService.py\n');
      expect((await runCli(['complete', 't1', 'implement', '--file', out, '--workspace', paths.root], { cwd: paths.root })).code).toBe(0);
      await until(engine, () => engine.run('t1')!.snapshot.value === 'verifying', 'the hand-off');
      expect((engine.run('t1')!.snapshot.context as { files: string[] }).files).toEqual(['app/models/User.py', 'app/services/UserService.py']);

      expect((await runCli(['cancel', 'ghost', '--workspace', paths.root], { cwd: paths.root })).code).toBe(0);
      await engine.scan();
      const kept = (await fs.readdir(paths.controlDir)).filter((n) => n.endsWith('.rejected.reason.txt'));
      expect(kept).toHaveLength(1);
      expect(await fs.readFile(path.join(paths.controlDir, kept[0]!), 'utf8')).toMatch(/no run "ghost"/);

      const usage = await runCli(['decide', 't1', '--workspace', paths.root], { cwd: paths.root });
      expect(usage).toMatchObject({ code: 1, stderr: 'teamstate: say --approve or --reject\n' });
    } finally {
      await engine.stop();
    }
  });
});
