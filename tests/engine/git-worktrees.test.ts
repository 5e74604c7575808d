import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stateLabel } from '../../src/engine/apply.js';
import { Engine } from '../../src/engine/engine.js';
import { runCli } from '../workspace/cli-helpers.js';
import { gitIn, initRepo } from '../git-repo.js';
import { delivered, drop, settle, tempWorkspace } from './helpers.js';
import { makeTemp } from '../temp.js';

const FAKE_CLI = fileURLToPath(new URL('../../scripts/fake-cli.mjs', import.meta.url));

/** A git repository with one commit, in a temp folder. */
async function tempRepo(): Promise<string> {
  const dir = await makeTemp('teamstate-repo-');
  await initRepo(dir, { 'app/__init__.py': '' });
  return dir;
}

const handoff = (what: string, files: string[]) => `## ANALYST REPORT — ${what}
### ENTRY POINT
${files[0]}:1 — entry
### FILES IN SCOPE (ordered by edit sequence)
${files.map((f, i) => `${i + 1}. ${f} — part`).join('\n')}`;

describe('runs in a git project', () => {
  it('should give two runs at once their own worktrees and branches, list the files git says changed, and commit on done', async () => {
    const project = await tempRepo();
    const base = gitIn(project, 'rev-parse', 'HEAD');
    const claude = { kind: 'command', preset: 'claude', argv: [process.execPath, FAKE_CLI, 'claude'], retries: 0, timeoutMs: 120_000, env: { FAKE_CLI_WRITE: '1' } };
    const paths = await tempWorkspace('instant', (c) => {
      c.project = project;
      c.git = { onDone: 'commit' };
      c.steps = { ...(c.steps as object), plan: claude, implement: claude, fix: claude, 'architecture-validator': { kind: 'builtin' }, 'code-reviewer': { kind: 'builtin' } };
    });
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: handoff('order cancel', ['app/services/OrderService.py']) });
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't2', body: handoff('user signup', ['app/services/UserService.py']) });
      await settle(engine);
      for (const t of ['t1', 't2']) await drop(paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: t, body: 'APPROVED' });
      await settle(engine);
      for (const t of ['t1', 't2']) expect(stateLabel(engine.run(t)!.snapshot.value), JSON.stringify((engine.run(t)!.snapshot.context as { subagents: unknown }).subagents)).toBe('verifying');

      const wt = (t: string) => path.join(project, '.teamstate', 'worktrees', t);
      // Each run sees its own change only; the project's own checkout is untouched and clean.
      expect(existsSync(path.join(wt('t1'), 'app/services/OrderService.py'))).toBe(true);
      expect(existsSync(path.join(wt('t1'), 'app/services/UserService.py'))).toBe(false);
      expect(existsSync(path.join(wt('t2'), 'app/services/UserService.py'))).toBe(true);
      expect(existsSync(path.join(wt('t2'), 'app/services/OrderService.py'))).toBe(false);
      expect(existsSync(path.join(project, 'app/services'))).toBe(false);
      expect(gitIn(project, 'status', '--porcelain')).toBe('');
      expect(gitIn(wt('t1'), 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('teamstate/t1');
      expect(JSON.parse(await fs.readFile(path.join(paths.artifacts('t1'), 'worktree.json'), 'utf8'))).toMatchObject({ base, branch: 'teamstate/t1' });

      // The handoffs list what git says changed, not what the text claimed.
      const toSentinel = (await delivered(paths, 'sentinel')).filter((m) => m.includes('[TYPE: HANDOFF]'));
      const t1 = toSentinel.find((m) => m.includes('order cancel'))!;
      expect(t1).toContain('app/services/OrderService.py');
      expect(t1).not.toContain('claimed-but-never-written');
      expect(t1).not.toContain('UserService');
      expect((engine.run('t1')!.snapshot.context as { files: string[] }).files).toEqual(['app/services/OrderService.py']);

      for (const t of ['t1', 't2']) await drop(paths, 'backend-engineer', { from: 'sentinel', type: 'PASS', priority: 'LOW', task: t, body: 'ALL CLEAR' });
      await settle(engine);
      expect(engine.run('t1')!.snapshot.value).toBe('done');
      // The branch stays for the conductor, with the work committed under the task's subject.
      expect(gitIn(project, 'log', '-1', '--format=%s', 'teamstate/t1')).toBe('order cancel');
      expect(gitIn(project, 'diff', '--name-only', base, 'teamstate/t1')).toBe('app/services/OrderService.py');
      expect(gitIn(project, 'rev-parse', 'main')).toBe(base);
      // Usage: three claude calls per run (plan, implement, and nothing else is an LLM here).
      expect(engine.run('t1')!.usage?.total).toMatchObject({ costUsd: 0.1, turns: 6 });

      // `teamstate worktrees` lists both as finished, and --prune removes them; the branches stay.
      const listed = await runCli(['worktrees', '--workspace', paths.root, '--json'], { cwd: project, fromSource: true });
      expect(JSON.parse(listed.stdout)).toMatchObject([
        { run: 't1', branch: 'teamstate/t1', state: 'finished', changed: 0 },
        { run: 't2', branch: 'teamstate/t2', state: 'finished', changed: 0 },
      ]);
      const pruned = await runCli(['worktrees', '--workspace', paths.root, '--prune'], { cwd: project, fromSource: true });
      expect(pruned).toMatchObject({ code: 0, stderr: '' });
      expect(pruned.stdout).toMatch(/t1\s+teamstate\/t1\s+finished.*pruned \(branch kept\)/);
      expect(existsSync(wt('t1'))).toBe(false);
      expect(gitIn(project, 'branch', '--list', 'teamstate/*')).toBe('teamstate/t1\n  teamstate/t2');
    } finally {
      await engine.stop();
    }
  });

  it('should work in the project folder itself when it is not a git repository', async () => {
    const project = await makeTemp('teamstate-plain-');
    const claude = { kind: 'command', preset: 'claude', argv: [process.execPath, FAKE_CLI, 'claude'], retries: 0, env: { FAKE_CLI_WRITE: '1' } };
    const paths = await tempWorkspace('instant', (c) => {
      c.project = project;
      c.steps = { ...(c.steps as object), implement: claude };
    });
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: handoff('order cancel', ['app/services/OrderService.py']) });
      await settle(engine);
      await drop(paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'APPROVED' });
      await settle(engine);
      expect(existsSync(path.join(project, 'app/services/OrderService.py'))).toBe(true);
      expect(existsSync(path.join(paths.artifacts('t1'), 'worktree.json'))).toBe(false);
      // Without git the files come from the text, as before.
      expect((engine.run('t1')!.snapshot.context as { files: string[] }).files).toContain('docs/claimed-but-never-written.md');
    } finally {
      await engine.stop();
    }
  });
});
