import { existsSync, promises as fs, realpathSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isTransient } from '../../../src/engine/faults.js';
import { commitWork } from '../../../src/handlers/git/commit.js';
import { ensureWorktree } from '../../../src/handlers/git/worktree.js';
import type { Worktree } from '../../../src/handlers/git/worktree.js';
import { canMount, fill, mountTmpfs, unmountAll } from '../../bench/mounts.js';
import { gitIn, initRepo, withoutGlobalConfig } from '../../git-repo.js';
import { makeTemp } from '../../temp.js';

afterEach(() => unmountAll());

const MESSAGE = 'order cancel\n\nteamstate run r1 (task t1)';

/** A repository (in `under`, else a temp folder) and the worktree of run r1 in it, with `file` written there as the run's work. */
async function runWorktree(under?: string): Promise<Worktree> {
  const project = under ?? realpathSync(await makeTemp('teamstate-commit-'));
  await initRepo(project, { 'app/__init__.py': '' });
  const w = (await ensureWorktree(project, path.join(project, '.runs', 'r1'), 'r1', { worktrees: true, onDone: 'commit' }))!;
  await fs.mkdir(path.join(w.path, 'app/services'), { recursive: true });
  await fs.writeFile(path.join(w.path, 'app/services/OrderService.py'), 'def cancel():\n    pass\n');
  return w;
}

const rejectingHook = async (w: Worktree, words: string) => {
  const hook = path.join(w.repo, '.git', 'hooks', 'pre-commit');
  await fs.writeFile(hook, `#!/bin/sh\necho "${words}"\necho "1 file would be reformatted" >&2\nexit 1\n`, { mode: 0o755 });
};

/** The run's work, as git sees it in the worktree. */
const status = (w: Worktree) => gitIn(w.path, 'status', '--porcelain');

describe('committing a run’s work when it is done', () => {
  it('should commit everything in the worktree under the message and give the commit', async () => {
    const w = await runWorktree();
    const done = await commitWork(w, MESSAGE);
    expect(done).toEqual({ status: 'committed', commit: gitIn(w.path, 'rev-parse', 'HEAD'), branch: 'teamstate/r1', path: w.path });
    expect(gitIn(w.path, 'log', '-1', '--format=%B')).toBe(MESSAGE);
    expect(status(w)).toBe('');
  });

  it('should say there was nothing to commit, not fail, when the run changed no file', async () => {
    const w = await runWorktree();
    await fs.rm(path.join(w.path, 'app/services'), { recursive: true });
    expect(await commitWork(w, MESSAGE)).toEqual({ status: 'nothing', branch: 'teamstate/r1', path: w.path });
    expect(gitIn(w.path, 'rev-parse', 'HEAD')).toBe(w.base);
  });

  it('should give the commit an earlier try made (the engine stopped before journaling it), not say there was nothing to commit', async () => {
    const w = await runWorktree();
    const first = await commitWork(w, MESSAGE);
    expect(await commitWork(w, MESSAGE)).toEqual(first);
  });

  it('should fail with git’s own words, hook output included, when a pre-commit hook rejects the commit, and leave the work in the worktree', async () => {
    const w = await runWorktree();
    await rejectingHook(w, 'ruff: app/services/OrderService.py:2: E999 bad indentation');
    const done = await commitWork(w, MESSAGE);
    expect(done).toEqual({ status: 'failed', said: 'ruff: app/services/OrderService.py:2: E999 bad indentation\n1 file would be reformatted', branch: 'teamstate/r1', path: w.path });
    expect(gitIn(w.path, 'rev-parse', 'HEAD')).toBe(w.base);
    expect(status(w)).toBe('A  app/services/OrderService.py');
  });

  it('should take a hook’s words for a refusal, not for a passing fault, even when they name one', async () => {
    const w = await runWorktree();
    await rejectingHook(w, 'pytest: OSError: [Errno 28] No space left on device');
    expect(await commitWork(w, MESSAGE)).toMatchObject({ status: 'failed', said: 'pytest: OSError: [Errno 28] No space left on device\n1 file would be reformatted' });
  });

  it('should commit as teamstate on a machine with no git identity at all', async () => {
    const w = await runWorktree();
    gitIn(w.repo, 'config', '--unset', 'user.name');
    gitIn(w.repo, 'config', '--unset', 'user.email');
    const done = await withoutGlobalConfig(() => commitWork(w, MESSAGE));
    expect(done.status).toBe('committed');
    expect(gitIn(w.path, 'log', '-1', '--format=%an <%ae>')).toBe('teamstate <teamstate@localhost>');
  });

  it('should fail with git’s words when the identity is half set and git may not guess the rest (user.useConfigOnly)', async () => {
    const w = await runWorktree();
    gitIn(w.repo, 'config', '--unset', 'user.name');
    gitIn(w.repo, 'config', 'user.useConfigOnly', 'true');
    const done = await withoutGlobalConfig(() => commitWork(w, MESSAGE));
    expect(done).toMatchObject({ status: 'failed', branch: 'teamstate/r1', path: w.path });
    expect(done.status === 'failed' && done.said).toContain('no name was given and auto-detection is disabled');
    expect(status(w)).toBe('A  app/services/OrderService.py');
  });

  it('should try again while another git process holds the worktree’s index lock, and commit once it is let go', async () => {
    const w = await runWorktree();
    const lock = path.join(gitIn(w.path, 'rev-parse', '--absolute-git-dir'), 'index.lock');
    await fs.writeFile(lock, '');
    const waits: number[] = [];
    const done = await commitWork(w, MESSAGE, {
      wait: async (ms) => {
        waits.push(ms);
        if (waits.length === 2) await fs.rm(lock);
      },
    });
    expect(done.status).toBe('committed');
    expect(waits).toEqual([250, 500]);
  });

  it('should fail with git’s words, not say there was nothing to commit, when the index lock stays held (a git process that crashed)', async () => {
    const w = await runWorktree();
    const lock = path.join(gitIn(w.path, 'rev-parse', '--absolute-git-dir'), 'index.lock');
    await fs.writeFile(lock, '');
    const waits: number[] = [];
    const done = await commitWork(w, MESSAGE, { wait: async (ms) => void waits.push(ms) });
    expect(waits).toEqual([250, 500, 1000]);
    expect(done).toMatchObject({ status: 'failed', branch: 'teamstate/r1' });
    expect(done.status === 'failed' && done.said).toContain(`Unable to create '${lock}': File exists.`);
    expect(existsSync(path.join(w.path, 'app/services/OrderService.py'))).toBe(true);
  });

  it.skipIf(!canMount)('should throw a passing fault, not fail nor say there was nothing to commit, when the disk is full (tmpfs)', async () => {
    const disk = await makeTemp('teamstate-commit-full-');
    await mountTmpfs(disk, 1024);
    const w = await runWorktree(disk);
    const free = await fill(disk);
    const thrown = await commitWork(w, MESSAGE).catch((e: unknown) => e);
    expect(isTransient(thrown)).toBe(true);
    expect((thrown as Error).message).toContain('No space left on device');
    await free();
    expect((await commitWork(w, MESSAGE)).status).toBe('committed');
  });
});
