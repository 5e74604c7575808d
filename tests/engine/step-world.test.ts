import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_RECHECK_MS, WorkDirError, WorkDirs } from '../../src/engine/step-world.js';
import { configSchema } from '../../src/workspace/config-schema.js';
import { gitIn, initRepo } from '../git-repo.js';

const made: string[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
});

describe('each run’s working folder', () => {
  it('should ask git about the project once for runs starting together, and see a repository made later once the answer is old', async () => {
    const project = await fs.mkdtemp(path.join(os.tmpdir(), 'teamstate-workdirs-'));
    const runs = await fs.mkdtemp(path.join(os.tmpdir(), 'teamstate-workdirs-runs-'));
    made.push(project, runs);
    let now = 1_000_000;
    const dirs = new WorkDirs(project, configSchema.parse({ members: ['analyst', 'backend-engineer'], engine: { member: 'backend-engineer' } }), (id) => path.join(runs, id), () => undefined, () => now);
    // Not a repository yet: the runs work in the project itself.
    const early = await Promise.all(['r1', 'r2', 'r3'].map((id) => dirs.of(id)));
    expect(early.map((w) => w.dir)).toEqual([project, project, project]);
    await initRepo(project, { 'README.md': 'x\n' });
    // Within the recheck time the earlier answer stands.
    now += REPO_RECHECK_MS - 1;
    expect((await dirs.of('r4')).worktree).toBeUndefined();
    now += 2;
    const later = await dirs.of('r5');
    expect(later.worktree?.branch).toBe('teamstate/r5');
    expect(gitIn(later.dir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('teamstate/r5');
  });

  it('should refuse a run whose worktree git cannot make, say so once however many of its steps ask, and ask git again each time until it can', async () => {
    const project = await fs.mkdtemp(path.join(os.tmpdir(), 'teamstate-workdirs-'));
    const runs = await fs.mkdtemp(path.join(os.tmpdir(), 'teamstate-workdirs-runs-'));
    made.push(project, runs);
    await initRepo(project);
    const at = path.join(project, '.teamstate', 'worktrees', 'r1');
    await fs.mkdir(path.dirname(at), { recursive: true });
    await fs.writeFile(at, 'in the way\n');
    const said: string[] = [];
    const dirs = new WorkDirs(project, configSchema.parse({ members: ['analyst', 'backend-engineer'], engine: { member: 'backend-engineer' } }), (id) => path.join(runs, id), (l) => said.push(l));
    // Five sub-agents at once, then a step after them: every one is refused, none is given the project.
    const asked = await Promise.all(Array.from({ length: 5 }, () => dirs.of('r1').catch((e: unknown) => e)));
    const after = await dirs.of('r1').catch((e: unknown) => e);
    for (const e of [...asked, after]) expect(e).toBeInstanceOf(WorkDirError);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`run r1: git could not make the run's worktree at ${at}`);
    expect(dirs.size).toBe(0);
    await fs.rm(at);
    const got = await dirs.of('r1');
    expect(got.dir).toBe(at);
    expect(gitIn(got.dir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('teamstate/r1');
  });
});
