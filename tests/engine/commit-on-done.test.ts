import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs, realpathSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { machines } from '../../machines/index.js';
import { Engine } from '../../src/engine/engine.js';
import { fold } from '../../src/engine/fold.js';
import { readJournal, readRunStates } from '../../src/engine/read.js';
import { replay } from '../../src/engine/replay.js';
import { summarize, timeline } from '../../src/engine/view.js';
import { loadConfig } from '../../src/workspace/config.js';
import type { WorkspacePaths } from '../../src/workspace/paths.js';
import { canMount, fill, mountTmpfs, unmountAll } from '../bench/mounts.js';
import { gitIn, initRepo, withoutGlobalConfig } from '../git-repo.js';
import { makeTemp } from '../temp.js';
import { runCli } from '../workspace/cli-helpers.js';
import { drop, settle, tempWorkspace, until } from './helpers.js';

afterEach(() => unmountAll());

const T0 = Date.parse('2026-12-02T02:00:00Z');
const HOOK_WORDS = 'ruff: app/services/OrderService.py:2: E999 bad indentation';

/** A git project whose pre-commit hook rejects every commit with `HOOK_WORDS`, and a workspace on it with `git.onDone: "commit"`. */
async function rejectingProject(under?: string): Promise<{ project: string; paths: WorkspacePaths }> {
  const project = under ?? realpathSync(await makeTemp('teamstate-repo-'));
  await initRepo(project, { 'app/__init__.py': '' });
  await fs.writeFile(path.join(project, '.git', 'hooks', 'pre-commit'), `#!/bin/sh\necho "${HOOK_WORDS}"\nexit 1\n`, { mode: 0o755 });
  const paths = await tempWorkspace('instant', (c) => {
    c.project = project;
    c.git = { onDone: 'commit' };
  });
  return { project, paths };
}

const worktree = (project: string, run: string) => path.join(project, '.teamstate', 'worktrees', run);

/** Takes run `task` through its lifecycle to its end; `work` writes in its worktree before the last message (what implement would leave). */
async function runToTheEnd(engine: Engine, paths: WorkspacePaths, task: string, work: () => Promise<void>): Promise<void> {
  await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task, body: 'order cancel' });
  await settle(engine);
  await drop(paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task, body: 'APPROVED' });
  await settle(engine);
  await work();
  await drop(paths, 'backend-engineer', { from: 'sentinel', type: 'PASS', priority: 'LOW', task, body: 'ALL CLEAR' });
  await settle(engine);
}

const writeWork = (project: string, run: string) => async () => {
  await fs.mkdir(path.join(worktree(project, run), 'app/services'), { recursive: true });
  await fs.writeFile(path.join(worktree(project, run), 'app/services/OrderService.py'), 'def cancel():\n    pass\n');
};

describe('a run whose work git does not commit when it is done (git.onDone: "commit")', () => {
  it('should finish, keep the work uncommitted in its worktree, and say so with git’s words and what to do in its summary, show, runs and the journal’s fold after a restart', async () => {
    const { project, paths } = await rejectingProject();
    const log: string[] = [];
    let engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, now: () => T0, log: (l) => log.push(l) });
    const wt = worktree(project, 't1');
    try {
      await runToTheEnd(engine, paths, 't1', writeWork(project, 't1'));
      const s = summarize(engine.run('t1')!);
      expect(s).toMatchObject({ state: 'done', finished: true, gitCommit: { status: 'failed', said: HOOK_WORDS, branch: 'teamstate/t1', path: wt } });
      expect(s.waitingFor).toBe(`finished, NOT committed (git: ${HOOK_WORDS}); the work is in ${wt}: commit it there by hand`);
      // No notice blames the agent log, which was written.
      expect(s.notices).toBe(0);
      expect(log).toContain(`warning: run t1: its work was not committed on teamstate/t1 (git said: ${HOOK_WORDS}); it is kept in ${wt}: commit it there by hand`);
      // The work is there, staged, on no commit.
      expect(gitIn(wt, 'status', '--porcelain')).toBe('A  app/services/OrderService.py');
      expect(gitIn(project, 'rev-parse', 'teamstate/t1')).toBe(gitIn(project, 'rev-parse', 'main'));
    } finally {
      await engine.stop();
    }

    // Durable: the journal alone says it (no snapshot), and the replay is exact.
    const { records } = await readJournal(paths, 't1');
    const config = await loadConfig(paths.root);
    expect(summarize(fold(records)!, config).gitCommit).toEqual({ status: 'failed', said: HOOK_WORDS, branch: 'teamstate/t1', path: wt });
    expect(replay(machines['backend-engineer']!, config, records)).toMatchObject({ ok: true });
    expect(timeline(records).find((e) => e.peer === 'write-log')).toMatchObject({ type: 'done', firstLine: `log entry written: order cancel; work NOT committed: ${HOOK_WORDS}` });

    engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, now: () => T0, log: () => undefined });
    try {
      // What the UI and `runs` read of a run finished before the engine started.
      const stored = (await readRunStates(paths)).find((r) => r.runId === 't1')!;
      expect(summarize(stored).gitCommit).toMatchObject({ status: 'failed', said: HOOK_WORDS });
    } finally {
      await engine.stop();
    }

    const show = await runCli(['show', 't1', '--workspace', paths.root], { cwd: project, fromSource: true });
    expect(show.stdout).toContain(`Commit:    NOT committed: the work is not on teamstate/t1. git said:\n  ${HOOK_WORDS}\n  It is kept in ${wt} (\`teamstate worktrees --prune\` keeps it): fix what git says, then commit it there by hand (git -C ${wt} commit), and merge teamstate/t1 as usual.`);
    const shown = JSON.parse((await runCli(['show', 't1', '--workspace', paths.root, '--json'], { cwd: project, fromSource: true })).stdout) as { summary: { gitCommit: unknown } };
    expect(shown.summary.gitCommit).toEqual({ status: 'failed', said: HOOK_WORDS, branch: 'teamstate/t1', path: wt });
    const runs = await runCli(['runs', '--workspace', paths.root], { cwd: project, fromSource: true });
    expect(runs.stdout).toMatch(/t1 +order cancel +done +finished, NOT committed \(git: ruff/);

    const listed = await runCli(['worktrees', '--workspace', paths.root, '--json'], { cwd: project, fromSource: true });
    expect(JSON.parse(listed.stdout)).toMatchObject([{ run: 't1', state: 'finished', changed: 1, notCommitted: HOOK_WORDS }]);
    // `worktrees --prune`, even with --force, keeps the worktree while the work is uncommitted in it.
    const pruned = await runCli(['worktrees', '--workspace', paths.root, '--prune', '--force'], { cwd: project, fromSource: true });
    expect(pruned.stdout).toContain(`\nt1: kept: its run's commit failed (git said: ${HOOK_WORDS}): commit the work in it by hand (git -C ${wt} commit), or remove it yourself (git worktree remove --force ${wt}) to drop the work\n`);
    expect(existsSync(path.join(wt, 'app/services/OrderService.py'))).toBe(true);
    // Committed by hand, it goes as any finished run's.
    gitIn(wt, 'commit', '-q', '--no-verify', '-m', 'order cancel');
    const again = await runCli(['worktrees', '--workspace', paths.root, '--prune'], { cwd: project, fromSource: true });
    expect(again.stdout).toMatch(/t1\s+teamstate\/t1\s+finished.*pruned \(branch kept\)/);
    expect(existsSync(wt)).toBe(false);
  });

  it('should say which commit holds the work when git commits it, and that there was nothing to commit when the run changed no file', async () => {
    const { project, paths } = await rejectingProject();
    await fs.rm(path.join(project, '.git', 'hooks', 'pre-commit'));
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, now: () => T0, log: () => undefined });
    try {
      await runToTheEnd(engine, paths, 't1', writeWork(project, 't1'));
      await runToTheEnd(engine, paths, 't2', async () => undefined);
      const head = gitIn(project, 'rev-parse', 'teamstate/t1');
      expect(summarize(engine.run('t1')!)).toMatchObject({ waitingFor: 'finished', gitCommit: { status: 'committed', commit: head, branch: 'teamstate/t1' } });
      expect(summarize(engine.run('t2')!)).toMatchObject({ waitingFor: 'finished', gitCommit: { status: 'nothing', branch: 'teamstate/t2' } });
    } finally {
      await engine.stop();
    }
    const show = await runCli(['show', 't1', '--workspace', paths.root], { cwd: project, fromSource: true });
    expect(show.stdout).toContain(`Commit:    ${gitIn(project, 'rev-parse', '--short=12', 'teamstate/t1')} on teamstate/t1`);
    const nothing = await runCli(['show', 't2', '--workspace', paths.root], { cwd: project, fromSource: true });
    expect(nothing.stdout).toContain('Commit:    nothing to commit (the run changed no file)');
  });

  it('should finish with git’s words when the machine’s git identity is half set and git may not guess the rest, and commit as teamstate when none is set', async () => {
    const { project, paths } = await rejectingProject();
    await fs.rm(path.join(project, '.git', 'hooks', 'pre-commit'));
    gitIn(project, 'config', '--unset', 'user.name');
    gitIn(project, 'config', 'user.useConfigOnly', 'true');
    await withoutGlobalConfig(async () => {
      const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, now: () => T0, log: () => undefined });
      try {
        await runToTheEnd(engine, paths, 't1', writeWork(project, 't1'));
        const s = summarize(engine.run('t1')!);
        expect(s).toMatchObject({ state: 'done', gitCommit: { status: 'failed', branch: 'teamstate/t1' } });
        expect(s.waitingFor).toContain('finished, NOT committed (git: ');
        expect(s.gitCommit?.status === 'failed' && s.gitCommit.said).toContain('no name was given and auto-detection is disabled');
        // With no identity at all, the commit is signed as teamstate.
        gitIn(project, 'config', '--unset', 'user.email');
        await runToTheEnd(engine, paths, 't2', writeWork(project, 't2'));
        expect(summarize(engine.run('t2')!).gitCommit).toMatchObject({ status: 'committed' });
        expect(gitIn(project, 'log', '-1', '--format=%an <%ae>', 'teamstate/t2')).toBe('teamstate <teamstate@localhost>');
      } finally {
        await engine.stop();
      }
    });
  });

  it.skipIf(!canMount)('should wait while the repository’s disk is full at the run’s end, without finishing it uncommitted, and commit once there is room (tmpfs)', async () => {
    const disk = await makeTemp('teamstate-full-');
    await mountTmpfs(disk, 2048);
    const { project, paths } = await rejectingProject(disk);
    await fs.rm(path.join(project, '.git', 'hooks', 'pre-commit'));
    const log: string[] = [];
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, log: (l) => log.push(l) });
    try {
      let free: (() => Promise<void>) | undefined;
      await runToTheEnd(engine, paths, 't1', async () => {
        // Work git cannot store in what is left (random bytes do not compress), while the agent log's entry still fits.
        await fs.writeFile(path.join(worktree(project, 't1'), 'app', 'blob.bin'), randomBytes(256 * 1024));
        free = await fill(disk);
        const filler = path.join(disk, '.filler');
        await fs.truncate(filler, (await fs.stat(filler)).size - 64 * 1024);
      });
      // The sentinel's PASS waits in the inbox: the run is not finished, and nothing says it was committed or not.
      expect(engine.run('t1')!.snapshot.value).toBe('verifying');
      expect(log.some((l) => l.includes('No space left on device') && l.includes('git could not commit'))).toBe(true);
      await free!();
      await until(engine, () => engine.run('t1')!.snapshot.value === 'done', 'the run to finish once there is room');
      expect(summarize(engine.run('t1')!)).toMatchObject({ state: 'done', gitCommit: { status: 'committed', commit: gitIn(project, 'rev-parse', 'teamstate/t1') } });
    } finally {
      await engine.stop();
    }
  });
});
