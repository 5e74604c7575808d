import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../workspace/cli-helpers.js';
import { tempDir } from '../workspace/helpers.js';

const GOOD = '[PRIORITY: HIGH]\n[TYPE: BUG]\n[TO: builder]\n[TASK: T-1]\n\nNull deref in login.\n';
const BAD = '[PRIORITY: HIGH]\n[TYPE: BUGG]\n[TO: builder]\n\nx\n';

async function files(): Promise<string> {
  const cwd = await tempDir();
  await fs.writeFile(path.join(cwd, 'breaker--good.md'), GOOD);
  await fs.writeFile(path.join(cwd, 'bad.md'), BAD);
  return cwd;
}

describe('teamstate validate', () => {
  it('exits 0 when every file is valid', async () => {
    const cwd = await files();
    const r = await runCli(['validate', 'breaker--good.md'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ok       breaker--good.md: BUG from breaker to builder (HIGH, task T-1)\n');
  });

  it("accepts a plan_approval_response naming no recipient, as the engine's inbox does, and refuses an empty HANDOFF", async () => {
    const cwd = await files();
    await fs.writeFile(path.join(cwd, 'conductor--decision.json'), '{"type":"plan_approval_response","from":"conductor","request_id":"p-1","approve":true}');
    await fs.writeFile(path.join(cwd, 'analyst--empty.md'), '[PRIORITY: HIGH]\n[TYPE: HANDOFF]\n[TO: builder]\n');
    const r = await runCli(['validate', 'conductor--decision.json', 'analyst--empty.md', '--json'], { cwd });
    expect(r.code).toBe(1);
    const [decision, empty] = JSON.parse(r.stdout) as { valid: boolean; to: string[] | null; error: string | null }[];
    expect(decision).toMatchObject({ valid: true, to: ['backend-engineer'] });
    expect(empty).toMatchObject({ valid: false, error: expect.stringMatching(/^a HANDOFF needs a body/) });
  });

  it('exits 1 and says which line and what was expected when one is not', async () => {
    const cwd = await files();
    const r = await runCli(['validate', 'breaker--good.md', 'bad.md', 'missing.md'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^invalid {2}bad\.md: line 2: \[TYPE: BUGG\] is not a known type; expected one of PLAN/m);
    expect(r.stdout).toMatch(/^invalid {2}missing\.md: no such file$/m);
  });

  it('prints {file, valid, from, to, type, priority, task, error} for each file with --json', async () => {
    const cwd = await files();
    const r = await runCli(['validate', '--json', 'breaker--good.md', 'bad.md'], { cwd });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual([
      { file: 'breaker--good.md', valid: true, from: 'breaker', to: ['builder'], type: 'BUG', priority: 'HIGH', task: 'T-1', error: null },
      { file: 'bad.md', valid: false, from: null, to: null, type: null, priority: null, task: null, error: expect.stringMatching(/^line 2: /) },
    ]);
  });

  it('checks names against the workspace team: aliases resolve, unknown members and path-like names are invalid', async () => {
    const cwd = await files();
    expect((await runCli(['init', '--no-fsync'], { cwd })).code).toBe(0);
    await fs.writeFile(path.join(cwd, 'breaker--ghost.md'), GOOD.replace('builder', 'ghost'));
    await fs.writeFile(path.join(cwd, 'breaker--climb.md'), GOOD.replace('builder', '../../etc'));
    await fs.writeFile(path.join(cwd, 'mallory--x.md'), GOOD);
    const r = await runCli(['validate', '--json', 'breaker--good.md', 'breaker--ghost.md', 'breaker--climb.md', 'mallory--x.md'], { cwd });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { valid: boolean; to: string[] | null; error: string | null }[];
    expect(out[0]).toMatchObject({ valid: true, to: ['backend-engineer'] });
    expect(out[1]).toMatchObject({ valid: false, error: expect.stringMatching(/^unknown recipient "ghost"/) });
    expect(out[2]).toMatchObject({ valid: false, error: expect.stringMatching(/^line 3: .*"\.\.\/\.\.\/etc" is not a member name/) });
    expect(out[3]).toMatchObject({ valid: false, error: expect.stringMatching(/unknown sender "mallory"|file name/) });
  });

  it('refuses a symlink and a file over the size limit, as the engine would', async () => {
    const cwd = await files();
    await fs.symlink(path.join(cwd, 'breaker--good.md'), path.join(cwd, 'breaker--link.md'));
    await fs.writeFile(path.join(cwd, 'breaker--big.md'), GOOD + 'x'.repeat(1024 * 1024));
    const r = await runCli(['validate', 'breaker--link.md', 'breaker--big.md'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/breaker--link\.md: refused: it is a symbolic link/);
    expect(r.stdout).toMatch(/breaker--big\.md: refused: the file is \d+ bytes, over the limit of 1048576/);
  });

  it('refuses an explicit --workspace that has no config', async () => {
    const cwd = await files();
    const r = await runCli(['validate', '--workspace', 'nowhere', 'breaker--good.md'], { cwd });
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toMatch(/nowhere\/teamstate\.json: no teamstate\.json here; run `teamstate init/);
  });

  it('has --help and needs at least one file', async () => {
    const cwd = await tempDir();
    expect((await runCli(['validate', '--help'], { cwd })).stdout).toMatch(/Usage: teamstate validate \[options\] <files\.\.\.>/);
    expect((await runCli(['validate'], { cwd })).code).toBe(1);
  });
});
