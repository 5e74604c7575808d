import { realpathSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitIn, initRepo } from '../git-repo.js';
import { makeTemp } from '../temp.js';
import { runCli } from '../workspace/cli-helpers.js';

describe('teamstate worktrees', () => {
  it('looks at the workspace’s own project when "project" is left out, never at the repository it is run in', async () => {
    // The folder the command is run in: a repository with a worktree on a teamstate/ branch.
    const cwd = realpathSync(await makeTemp('teamstate-cwd-repo-'));
    await initRepo(cwd);
    gitIn(cwd, 'worktree', 'add', '-q', '-b', 'teamstate/r1', path.join(cwd, 'wt-r1'));
    const ws = path.join(await makeTemp('teamstate-ws-'), 'ws');
    expect(await runCli(['init', ws], { cwd, fromSource: true })).toMatchObject({ code: 0 });

    const listed = await runCli(['worktrees', '--workspace', ws], { cwd, fromSource: true });
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout).toBe(`No run worktrees in ${path.join(ws, 'project')} (runs make one when the project is a git repository with a commit).\n`);
    expect(JSON.parse((await runCli(['worktrees', '--workspace', ws, '--json'], { cwd, fromSource: true })).stdout)).toEqual([]);
    // The repository's own worktree is left alone.
    expect(gitIn(cwd, 'worktree', 'list')).toContain('[teamstate/r1]');
  });
});
