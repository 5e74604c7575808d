import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/workspace/config.js';
import { SimTeam } from './sim-team.js';
import { canMount, makeReadOnly, unmountAll } from '../bench/mounts.js';

let team: SimTeam | undefined;
afterEach(async () => {
  await team?.cleanup();
  team = undefined;
});

describe("the teammate's workspace", () => {
  it('is made on first use with the folder the lead runs in as its project, and the READY line names that project', async () => {
    team = await SimTeam.create({ members: ['backend-engineer', 'analyst'], preset: 'none' });
    const t = await team.spawn('backend-engineer', 'You are the backend engineer.', { env: { TEAMSTATE_HEADLESS: '1' } });
    await t.ready();
    const config = await loadConfig(team.workspaceDir);
    expect(path.resolve(team.workspaceDir, config.project!)).toBe(team.project);
    expect(t.out).toMatch(new RegExp(`READY .*project ${team.project.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[;)]`));
    t.child.kill('SIGTERM');
    expect((await t.exited).code).toBe(0);
  });
});

describe('the teammate whose workspace goes away', () => {
  it('stops and its pane command exits 1, saying why, when the workspace is removed under it', async () => {
    team = await SimTeam.create({ members: ['backend-engineer', 'analyst'], preset: 'none' });
    const t = await team.spawn('backend-engineer', 'You are the backend engineer.', { env: { TEAMSTATE_HEADLESS: '1' } });
    await t.ready();
    await fs.rm(team.workspaceDir, { recursive: true, force: true });
    expect((await t.exited).code).toBe(1);
    expect(t.out).toMatch(/error: the workspace .* is gone \(removed or moved while the engine ran\)/);
  });
});

describe.skipIf(!canMount)("the teammate on a read-only project folder (a read-only bind mount)", () => {
  afterAll(() => unmountAll());

  it('says it cannot make its workspace there as the person’s to fix, with exit 1 and no stack', async () => {
    team = await SimTeam.create({ members: ['backend-engineer', 'analyst'], preset: 'none' });
    const writable = makeReadOnly(team.project);
    const t = await team.spawn('backend-engineer', 'You are the backend engineer.', { env: { TEAMSTATE_HEADLESS: '1' } });
    const { code } = await t.exited;
    writable();
    expect(t.err).not.toMatch(/internal error|\n\s+at /);
    expect(code).toBe(1);
    expect(t.err).toMatch(/^teamstate-teammate: the file system is read-only \(EROFS at .*project.*\); make it writable, then run the command again\n$/);
  });
});
