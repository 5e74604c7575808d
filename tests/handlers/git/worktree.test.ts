import { spawn } from 'node:child_process';
import { existsSync, promises as fs, realpathSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTransient } from '../../../src/engine/faults.js';
import { ensureWorktree, WorktreeError } from '../../../src/handlers/git/worktree.js';
import { packageRoot } from '../../../src/package-root.js';
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

describe('the worktree changes of several processes on one repository', () => {
  const lib = path.join(packageRoot(), 'dist', 'src', 'handlers', 'git', 'worktree.js');
  /** A node process running `script` (an ES module) with the built worktree module as `w`; resolves with what it printed. */
  const node = (script: string, onLine?: (line: string) => void): Promise<string> =>
    new Promise((resolve, reject) => {
      if (!existsSync(lib)) return reject(new Error(`${lib} is missing; run \`npm run build\` first`));
      const child = spawn(process.execPath, ['--input-type=module', '-e', `const w = await import(${JSON.stringify(lib)});\n${script}`], { cwd: packageRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        for (const l of b.toString().split('\n')) if (l) onLine?.(l);
      });
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exited ${code}: ${err}`))));
    });

  it('should wait while another process holds the repository’s worktree lock, and make the worktree once it is let go', async () => {
    const project = await repo();
    const runs = await makeTemp('teamstate-worktree-runs-');
    const gitDir = path.join(project, '.git');
    let held!: () => void;
    const holding = new Promise<void>((r) => (held = r));
    // Another process holds the lock for 1.5 s, and says when it lets go.
    const said: string[] = [];
    const holder = node(
      `const { default: lockfile } = await import('proper-lockfile');
       const release = await lockfile.lock(${JSON.stringify(gitDir)}, { lockfilePath: ${JSON.stringify(path.join(gitDir, 'teamstate-worktrees.lock'))} });
       console.log('held');
       await new Promise((r) => setTimeout(r, 1500));
       console.log('releasing');
       await release();`,
      (l) => {
        said.push(l);
        if (l === 'held') held();
      },
    );
    await holding;
    const made = await ensureWorktree(project, path.join(runs, 'r1'), 'r1', { worktrees: true, onDone: 'keep' });
    // Made only once the other process had let go: it had said so (before letting go) by the time the worktree came.
    expect(said).toEqual(['held', 'releasing']);
    await holder;
    expect(existsSync(path.join(made!.path, '.git'))).toBe(true);
    expect(gitIn(project, 'status', '--porcelain')).toBe('');
  });

  it('should make every run’s worktree when three processes make and remove worktrees in one repository at once', async () => {
    const project = await repo();
    const runs = await makeTemp('teamstate-worktree-runs-');
    // Each process makes 10 worktrees at once, then removes every other one (as `worktrees --prune` does), four times over.
    const maker = (who: string) =>
      node(`
        const ids = Array.from({ length: 10 }, (_, i) => '${who}' + i);
        for (let round = 0; round < 4; round++) {
          const made = await Promise.all(ids.map((id) => w.ensureWorktree(${JSON.stringify(project)}, ${JSON.stringify(runs)} + '/' + id, id, { worktrees: true, onDone: 'keep' })));
          const gone = await Promise.all(made.filter((_, i) => i % 2 === round % 2).map((m) => w.removeWorktree(${JSON.stringify(project)}, m.path, false)));
          for (const g of gone) if (!g.ok) throw new Error('remove: ' + g.why);
        }
        console.log('done');`);
    const who = ['a', 'b', 'c'];
    expect(await Promise.all(who.map(maker))).toEqual(who.map(() => 'done\n'));
    // The last round removed the odd ones and kept the even ones (each made again in every round).
    const listed = gitIn(project, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).map((l) => path.basename(l.slice('worktree '.length)));
    const kept = who.flatMap((w) => [0, 2, 4, 6, 8].map((i) => `${w}${i}`));
    expect(listed.slice(1).sort()).toEqual(kept.sort());
    for (const id of kept) expect(gitIn(path.join(project, '.teamstate', 'worktrees', id), 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(`teamstate/${id}`);
  }, 120_000);
});
