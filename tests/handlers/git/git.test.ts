import { existsSync, promises as fs, realpathSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { faultIn, repoRoot } from '../../../src/handlers/git/git.js';
import { ensureWorktree } from '../../../src/handlers/git/worktree.js';
import { gitIn, initRepo } from '../../git-repo.js';
import { makeTemp } from '../../temp.js';


/**
 * A repository laid out as a clone of teamstate is: its embedded workspace ignored
 * (`/workspace/*`), a tracked `app/` folder, one commit.
 */
async function cloneLikeRepo(): Promise<string> {
  const dir = realpathSync(await makeTemp('teamstate-git-'));
  await initRepo(dir, { '.gitignore': '/workspace/*\n!/workspace/.gitkeep\n', 'workspace/.gitkeep': '', 'app/__init__.py': '' });
  await fs.mkdir(path.join(dir, 'workspace', 'project'), { recursive: true });
  return dir;
}

describe('the repository of a project', () => {
  it('is none for a folder its enclosing repository ignores, so the embedded workspace of a clone gets no worktree of that clone', async () => {
    const repo = await cloneLikeRepo();
    const project = path.join(repo, 'workspace', 'project');
    expect(await repoRoot(project)).toBeUndefined();

    const runDir = path.join(repo, 'workspace', 'artifacts', 'r1');
    const made = await ensureWorktree(project, runDir, 'r1', { worktrees: true, onDone: 'keep' });
    expect(made).toBeUndefined();
    // Nothing was done to the enclosing repository: no branch, no worktree, no exclude line.
    expect(gitIn(repo, 'branch', '--list', 'teamstate/*')).toBe('');
    expect(gitIn(repo, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree '))).toHaveLength(1);
    expect(existsSync(path.join(project, '.teamstate'))).toBe(false);
    expect(await fs.readFile(path.join(repo, '.git', 'info', 'exclude'), 'utf8').catch(() => '')).not.toContain('/workspace/');
  });

  it('is the repository for its top folder and for a folder it tracks', async () => {
    const repo = await cloneLikeRepo();
    expect(await repoRoot(repo)).toBe(repo);
    expect(await repoRoot(path.join(repo, 'app'))).toBe(repo);
  });
});

describe('the passing faults git names', () => {
  it('are told by the system’s words git prints, and by the code of a git that could not be started', () => {
    expect(faultIn("fatal: could not write to '/w/r1/.git': No space left on device")).toBe('ENOSPC');
    expect(faultIn('error: unable to create file app/x.py: Too many open files')).toBe('EMFILE');
    expect(faultIn('fatal: Too many open files in system')).toBe('ENFILE');
    expect(faultIn("fatal: cannot mkdir '/w/r1': Read-only file system")).toBe('EROFS');
    expect(faultIn('spawn git EAGAIN')).toBe('EAGAIN');
  });

  it('are none for a refusal a person must clear', () => {
    expect(faultIn("fatal: '/w/r1' already exists")).toBeUndefined();
    expect(faultIn("fatal: Unable to create '/w/.git/index.lock': File exists.")).toBeUndefined();
    expect(faultIn("fatal: a branch named 'teamstate/r1' already exists")).toBeUndefined();
    expect(faultIn("fatal: could not create directory of '/w/r1': Permission denied")).toBeUndefined();
  });
});
