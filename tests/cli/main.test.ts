import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { commandsFor } from '../../src/cli/commands/index.js';
import { tempDir } from '../workspace/helpers.js';
import { runCli } from '../workspace/cli-helpers.js';
import { canMount, fill, makeReadOnly, mountTmpfs, unmountAll } from '../bench/mounts.js';

describe('the teamstate command', () => {
  it("prints the package's version with --version and -V", async () => {
    const cwd = await tempDir();
    const { version } = JSON.parse(await fs.readFile(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(await runCli(['--version'], { cwd })).toMatchObject({ code: 0, stdout: `${version}\n` });
    expect(await runCli(['-V'], { cwd })).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('refuses a --workspace that is not one instead of showing it as empty', async () => {
    const cwd = await tempDir();
    const missing = path.join(cwd, 'nope');
    const runs = await runCli(['runs', '--workspace', missing], { cwd });
    expect(runs).toMatchObject({ code: 1, stdout: '' });
    expect(runs.stderr).toBe(`teamstate: ${missing} does not exist; pass --workspace DIR, or create one with \`teamstate init ${missing}\`\n`);
    const show = await runCli(['show', 'r1', '--workspace', cwd], { cwd });
    expect(show).toMatchObject({ code: 1 });
    expect(show.stderr).toMatch(/is not a workspace \(no teamstate\.json\)/);
  });

  it('prints a mistake as a JSON object with "error" when --json is given, and nothing on stderr', async () => {
    const cwd = await tempDir();
    const missing = path.join(cwd, 'nope');
    const runs = await runCli(['runs', '--json', '--workspace', missing], { cwd });
    expect(runs).toMatchObject({ code: 1, stderr: '' });
    expect(JSON.parse(runs.stdout)).toEqual({ error: `${missing} does not exist; pass --workspace DIR, or create one with \`teamstate init ${missing}\`` });
    const unknown = await runCli(['runs', '--json', '--bogus'], { cwd });
    expect(unknown).toMatchObject({ code: 1, stderr: '' });
    expect(JSON.parse(unknown.stdout)).toEqual({ error: "unknown option '--bogus'" });
    // After `--`, --json is an argument, not a flag.
    const plain = await runCli(['validate', '--', '--json'], { cwd });
    expect(plain).toMatchObject({ code: 1, stdout: 'invalid  --json: no such file\n' });
  });
});

describe('the commands a command line loads', () => {
  const names = (registers: ((p: Command) => void)[]): string[] => {
    const program = new Command('teamstate');
    for (const r of registers) r(program);
    return program.commands.map((c) => c.name());
  };

  it('are only the named command, with the others of its module', async () => {
    expect(names(await commandsFor(['start', '--headless', '--workspace', 'w']))).toEqual(['start']);
    expect(names(await commandsFor(['--json', 'cancel', 'r1']))).toEqual(['complete', 'retry', 'decide', 'cancel']);
  });

  it('are all of them, in the order help lists them, for help or a word that is no command', async () => {
    const all = names(await commandsFor(['--help']));
    expect(all.slice(0, 3)).toEqual(['init', 'start', 'send']);
    expect(all).toContain('demo');
    expect(names(await commandsFor(['strat']))).toEqual(all);
    expect(names(await commandsFor([]))).toEqual(all);
  });

  it('still suggest the right name for a mistyped one', async () => {
    const cwd = await tempDir();
    const r = await runCli(['strat'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown command 'strat'[\s\S]*start/);
  });
});

if (!canMount) console.warn('skipping the CLI disk fault tests: this machine cannot mount a tmpfs or a read-only bind mount (needs root and mount(8))');

describe.skipIf(!canMount)('the teamstate command on a full or read-only disk (tmpfs and read-only bind mounts)', () => {
  afterAll(() => unmountAll());

  it('says a full disk as the user’s to fix, with exit 1 and no stack, and leaves no half-written message', async () => {
    const cwd = await tempDir();
    const ws = path.join(cwd, 'ws');
    await mountTmpfs(ws, 512);
    expect(await runCli(['init', ws], { cwd })).toMatchObject({ code: 0 });
    const free = await fill(ws);
    const sent = await runCli(['send', '--workspace', ws, '--from', 'analyst', '--to', 'builder', '--type', 'HANDOFF', '--task', 't1', '--body', '## ANALYST REPORT\nx'], { cwd });
    expect(sent.code).toBe(1);
    expect(sent.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(sent.stderr).toMatch(/^teamstate: the disk is full \(ENOSPC/);
    expect(sent.stderr).toMatch(/free some space, then run the command again\n$/);
    const inbox = path.join(ws, 'inboxes', 'backend-engineer');
    expect(await fs.readdir(path.join(inbox, 'new'))).toEqual([]);
    expect(await fs.readdir(path.join(inbox, 'tmp'))).toEqual([]);
    const json = await runCli(['send', '--json', '--workspace', ws, '--from', 'analyst', '--to', 'builder', '--type', 'HANDOFF', '--task', 't1', '--body', '## ANALYST REPORT\nx'], { cwd });
    expect(json).toMatchObject({ code: 1, stderr: '' });
    expect((JSON.parse(json.stdout) as { error: string }).error).toMatch(/^the disk is full \(ENOSPC/);
    await free();
    expect(await runCli(['send', '--workspace', ws, '--from', 'analyst', '--to', 'builder', '--type', 'HANDOFF', '--task', 't1', '--body', '## ANALYST REPORT\nx'], { cwd })).toMatchObject({ code: 0 });
  });

  it('says a read-only inbox as the user’s to fix, with exit 1', async () => {
    const cwd = await tempDir();
    const ws = path.join(cwd, 'ws');
    expect(await runCli(['init', ws], { cwd })).toMatchObject({ code: 0 });
    makeReadOnly(path.join(ws, 'inboxes', 'backend-engineer'));
    const sent = await runCli(['send', '--workspace', ws, '--from', 'analyst', '--to', 'builder', '--type', 'HANDOFF', '--task', 't1', '--body', '## ANALYST REPORT\nx'], { cwd });
    expect(sent.code).toBe(1);
    expect(sent.stderr).toMatch(/^teamstate: the file system is read-only \(EROFS at .*inboxes\/backend-engineer\/tmp.*\); make it writable, then run the command again\n$/);
  });
});
