import { existsSync, promises as fs, realpathSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTransient } from '../../../src/engine/faults.js';
import { ensureWorktree, WorktreeError } from '../../../src/handlers/git/worktree.js';
import { gitIn, initRepo } from '../../git-repo.js';
import { makeTemp } from '../../temp.js';

async function repo(): Promise<string> {
  const dir = realpathSync(await makeTemp('teamstate-worktrees-'));
  await initRepo(dir);
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

describe('a run’s worktree that git cannot make', () => {
  it('should be refused when a branch of the run’s name does not come from the run’s base, and be made once that branch is moved away', async () => {
    const project = await repo();
    const first = gitIn(project, 'rev-parse', 'HEAD');
    gitIn(project, 'commit', '-q', '--allow-empty', '-m', 'second');
    gitIn(project, 'branch', 'teamstate/r1', first);
    const runDir = path.join(await makeTemp('teamstate-worktree-runs-'), 'r1');
    const refused = await ensureWorktree(project, runDir, 'r1', { worktrees: true, onDone: 'keep' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorktreeError);
    expect(isTransient(refused)).toBe(false);
    expect((refused as Error).message).toContain(`the branch teamstate/r1 exists already at ${first.slice(0, 7)}`);
    expect(existsSync(path.join(project, '.teamstate', 'worktrees', 'r1'))).toBe(false);
    gitIn(project, 'branch', '-m', 'teamstate/r1', 'old-r1');
    const made = await ensureWorktree(project, runDir, 'r1', { worktrees: true, onDone: 'keep' });
    expect(gitIn(made!.path, 'rev-parse', 'HEAD')).toBe(gitIn(project, 'rev-parse', 'main'));
  });

  it('should take up a branch of the run’s name that grew from the run’s base (its own, after its worktree was removed)', async () => {
    const project = await repo();
    const runDir = path.join(await makeTemp('teamstate-worktree-runs-'), 'r1');
    const w = (await ensureWorktree(project, runDir, 'r1', { worktrees: true, onDone: 'keep' }))!;
    gitIn(w.path, 'commit', '-q', '--allow-empty', '-m', 'the run’s work');
    const head = gitIn(w.path, 'rev-parse', 'HEAD');
    gitIn(project, 'worktree', 'remove', w.path);
    const again = await ensureWorktree(project, runDir, 'r1', { worktrees: true, onDone: 'keep' });
    expect(gitIn(again!.path, 'rev-parse', 'HEAD')).toBe(head);
  });

  it('should say git’s words and the path in the way when something stands where the worktree goes', async () => {
    const project = await repo();
    const at = path.join(project, '.teamstate', 'worktrees', 'r1');
    await fs.mkdir(path.dirname(at), { recursive: true });
    await fs.writeFile(at, 'in the way\n');
    const refused = await ensureWorktree(project, path.join(await makeTemp('teamstate-worktree-runs-'), 'r1'), 'r1', { worktrees: true, onDone: 'keep' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorktreeError);
    expect((refused as Error).message).toMatch(/git said: .*already exists/);
    expect((refused as Error).message).toContain(`remove or move what is at ${at}, then retry the step`);
    expect((refused as Error).message).not.toContain('Preparing worktree');
  });
});
