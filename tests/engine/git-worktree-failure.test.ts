import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { stateLabel } from '../../src/engine/apply.js';
import { Engine } from '../../src/engine/engine.js';
import type { WorkspacePaths } from '../../src/workspace/paths.js';
import { canMount, fill, mountTmpfs, unmountAll } from '../bench/mounts.js';
import { gitIn, initRepo } from '../git-repo.js';
import { drop, tempWorkspace, until } from './helpers.js';
import { makeTemp } from '../temp.js';

const FAKE_CLI = fileURLToPath(new URL('../../scripts/fake-cli.mjs', import.meta.url));
afterEach(() => unmountAll());

/** A git repository with two commits, in a temp folder. */
async function tempRepo(): Promise<string> {
  const dir = await makeTemp('teamstate-repo-');
  await initRepo(dir, { 'app/__init__.py': '' });
  await fs.writeFile(path.join(dir, 'README.md'), 'the project\n');
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '-q', '-m', 'readme');
  return dir;
}

const HANDOFF = `## ANALYST REPORT — order cancel
### ENTRY POINT
app/services/OrderService.py:1 — entry
### FILES IN SCOPE (ordered by edit sequence)
1. app/services/OrderService.py — service`;

/** A workspace on `project` whose implement is an LLM CLI that writes the plan's files where it runs; every other step is instant. */
async function workspaceOn(project: string, git: Record<string, unknown> = {}): Promise<WorkspacePaths> {
  const claude = { kind: 'command', preset: 'claude', argv: [process.execPath, FAKE_CLI, 'claude'], retries: 0, timeoutMs: 120_000, env: { FAKE_CLI_WRITE: '1' } };
  return tempWorkspace('instant', (c) => {
    c.project = project;
    c.git = git;
    c.steps = { ...(c.steps as object), implement: claude };
  });
}

/** Starts t1 and approves its plan: the run goes on to implementing. */
async function startAndApprove(engine: Engine, paths: WorkspacePaths): Promise<void> {
  await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF });
  await until(engine, () => stateLabel(engine.run('t1')?.snapshot.value) === 'awaitingApproval.waiting', 'the plan to be sent');
  await drop(paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'APPROVED' });
}

const blocked = (engine: Engine) => (engine.run('t1')!.snapshot.context as { blocked?: string }).blocked;
const label = (engine: Engine) => stateLabel(engine.run('t1')?.snapshot.value);
const worktree = (project: string) => path.join(project, '.teamstate', 'worktrees', 't1');

describe('a run whose git worktree cannot be made', () => {
  it('should not work in the project checkout when a branch of the run’s name is at another commit, hand the step to a person with git’s reason, and go on in its worktree once the branch is gone and the step retried', async () => {
    const project = await tempRepo();
    // Left by someone else: teamstate/t1 at the first commit, not from the commit the run begins at.
    gitIn(project, 'branch', 'teamstate/t1', 'HEAD~1');
    const paths = await workspaceOn(project);
    const log: string[] = [];
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, log: (l) => log.push(l) });
    try {
      await startAndApprove(engine, paths);
      await until(engine, () => label(engine) === 'implementing.working.stuck', 'implement to be handed to a person');
      expect(blocked(engine)).toContain('the branch teamstate/t1 exists already');
      expect(blocked(engine)).toContain('git branch -m teamstate/t1');
      expect(blocked(engine)).toContain('retry the step');
      // Nothing was written in the person's own checkout.
      expect(existsSync(path.join(project, 'app/services'))).toBe(false);
      expect(gitIn(project, 'status', '--porcelain')).toBe('');
      // Said once for the run, though the agent log's reading and implement both asked.
      expect(log.filter((l) => l.includes('run t1') && l.includes("could not make the run's worktree"))).toHaveLength(1);

      gitIn(project, 'branch', '-m', 'teamstate/t1', 'someone-else');
      await engine.retry('t1', 'implement');
      await until(engine, () => label(engine) === 'verifying', 'the run to go on to verifying');
      expect(existsSync(path.join(worktree(project), 'app/services/OrderService.py'))).toBe(true);
      expect(existsSync(path.join(project, 'app/services'))).toBe(false);
      expect(gitIn(worktree(project), 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('teamstate/t1');
      expect((engine.run('t1')!.snapshot.context as { files: string[] }).files).toEqual(['app/services/OrderService.py']);
    } finally {
      await engine.stop();
    }
  });

  it('should not work in the project checkout when a file stands at the worktree’s path, name that path, and go on once it is removed and the step retried', async () => {
    const project = await tempRepo();
    const paths = await workspaceOn(project);
    await fs.mkdir(path.dirname(worktree(project)), { recursive: true });
    await fs.writeFile(worktree(project), 'in the way\n');
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, log: () => undefined });
    try {
      await startAndApprove(engine, paths);
      await until(engine, () => label(engine) === 'implementing.working.stuck', 'implement to be handed to a person');
      expect(blocked(engine)).toContain('already exists');
      expect(blocked(engine)).toContain(`remove or move what is at ${worktree(project)}`);
      expect(existsSync(path.join(project, 'app/services'))).toBe(false);

      await fs.rm(worktree(project));
      await engine.retry('t1', 'implement');
      await until(engine, () => label(engine) === 'verifying', 'the run to go on to verifying');
      expect(existsSync(path.join(worktree(project), 'app/services/OrderService.py'))).toBe(true);
      expect(existsSync(path.join(project, 'app/services'))).toBe(false);
    } finally {
      await engine.stop();
    }
  });

  it.skipIf(!canMount)('should wait while the disk of the worktrees is full, work nowhere else meanwhile, and go on by itself once there is room (tmpfs)', async () => {
    const project = await tempRepo();
    const full = await makeTemp('teamstate-full-');
    await mountTmpfs(full, 256);
    const free = await fill(full);
    const paths = await workspaceOn(project, { dir: full });
    const log: string[] = [];
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, log: (l) => log.push(l) });
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF });
      await until(engine, () => log.some((l) => l.includes('No space left on device') && l.includes('retrying by itself')), 'the full disk to be said');
      // The handoff waits, kept; the run has not gone past reading the agent log, nor written anywhere.
      expect(engine.run('t1') === undefined || label(engine) === 'idle').toBe(true);
      expect(existsSync(path.join(project, 'app/services'))).toBe(false);
      expect(log.some((l) => l.includes('project folder itself'))).toBe(false);

      await free();
      await until(engine, () => label(engine) === 'awaitingApproval.waiting', 'the plan to be sent');
      await drop(paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'APPROVED' });
      await until(engine, () => label(engine) === 'verifying', 'the run to go on to verifying');
      expect(existsSync(path.join(full, 't1', 'app/services/OrderService.py'))).toBe(true);
      expect(existsSync(path.join(project, 'app/services'))).toBe(false);
    } finally {
      await engine.stop();
    }
  });

  it.skipIf(!canMount)('should keep a retried step waiting while the disk of the worktrees is full, and run it in its worktree once there is room (tmpfs)', async () => {
    const project = await tempRepo();
    gitIn(project, 'branch', 'teamstate/t1', 'HEAD~1');
    const full = await makeTemp('teamstate-full-');
    await mountTmpfs(full, 256);
    const paths = await workspaceOn(project, { dir: full });
    const log: string[] = [];
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, log: (l) => log.push(l) });
    try {
      await startAndApprove(engine, paths);
      await until(engine, () => label(engine) === 'implementing.working.stuck', 'implement to be handed to a person');
      // The person clears the branch and retries, but the disk has filled up meanwhile.
      gitIn(project, 'branch', '-m', 'teamstate/t1', 'someone-else');
      const free = await fill(full);
      await engine.retry('t1', 'implement');
      await until(engine, () => log.some((l) => l.includes('making the worktree of run t1 is waiting: the disk is full')), 'the step to wait for room');
      expect(label(engine)).toBe('implementing.working.running');
      expect(existsSync(path.join(project, 'app/services'))).toBe(false);

      await free();
      await until(engine, () => label(engine) === 'verifying', 'the run to go on to verifying');
      expect(existsSync(path.join(full, 't1', 'app/services/OrderService.py'))).toBe(true);
      expect(existsSync(path.join(project, 'app/services'))).toBe(false);
      expect(log.some((l) => l.includes('making the worktree of run t1 goes on'))).toBe(true);
    } finally {
      await engine.stop();
    }
  });
});
