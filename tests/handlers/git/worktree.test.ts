import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureWorktree } from '../../../src/handlers/git/worktree.js';
import { makeTemp } from '../../temp.js';

const gitIn = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();

async function repo(): Promise<string> {
  const dir = realpathSync(await makeTemp('teamstate-worktrees-'));
  gitIn(dir, 'init', '-q', '-b', 'main');
  gitIn(dir, '-c', 'user.email=dev@example.com', '-c', 'user.name=Dev', 'commit', '-q', '--allow-empty', '-m', 'start');
  return dir;
}

describe('the worktrees of runs that start at once', () => {
  // git's `worktree add` and `prune` read every worktree's files and stop at one another's
  // half-written ones ("failed to read .git/worktrees/r2/commondir"); a prune can delete a
  // worktree being made. Each run must get its own all the same.
  it('should each be made, whatever the others are doing in the same repository', async () => {
    for (let round = 0; round < 4; round++) {
      const project = await repo();
      const runs = await makeTemp('teamstate-worktree-runs-');
      const ids = Array.from({ length: 12 }, (_, i) => `r${i}`);
      const made = await Promise.all(ids.map((id) => ensureWorktree(project, path.join(runs, id), id, { worktrees: true, onDone: 'keep' })));
      for (const [i, id] of ids.entries()) {
        expect(made[i]).toMatchObject({ branch: `teamstate/${id}`, path: path.join(project, '.teamstate', 'worktrees', id) });
        expect(existsSync(path.join(made[i]!.path, '.git')), id).toBe(true);
        expect(gitIn(made[i]!.path, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(`teamstate/${id}`);
      }
      const listed = gitIn(project, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree '));
      expect(listed).toHaveLength(ids.length + 1);
    }
  });
});
