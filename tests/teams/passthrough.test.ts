import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TEAMMATE } from './sim-team.js';

let root: string | undefined;
afterEach(async () => {
  if (root) await fs.rm(root, { recursive: true, force: true });
  root = undefined;
});

const ARGV = ['--agent-id', 'analyst@session-84bde2e9', '--agent-name', 'analyst', '--team-name', 'session-84bde2e9', '--agent-color', 'green', '--parent-session-id', '5b1c0a52-7a57-4c1e-9d53-0c1f5e0b7d11', '--agent-type', 'general-purpose', '--permission-mode', 'acceptEdits', '--model', 'claude-sonnet-5', '--some-future-flag'];

/** A fake `claude` that records its argv and one variable of its environment, then exits 7. */
async function fakeClaude(dir: string, record: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'claude');
  await fs.writeFile(file, `#!/bin/sh\nprintf '%s\\n' "$@" > "${record}"\nprintf 'env %s\\n' "$TEAMS_PROBE" >> "${record}"\nexit 7\n`);
  await fs.chmod(file, 0o755);
}

function run(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TEAMMATE, ...args], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

describe('teamstate-teammate for a name teamstate does not run', () => {
  it('should run the claude on PATH with the same argv and environment, skipping a claude that is teamstate-teammate itself, and exit as it exits', async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'teamstate-pass-'));
    const record = path.join(root, 'argv.txt');
    const self = path.join(root, 'self-bin');
    await fs.mkdir(self);
    // Someone linked `claude` to the teammate command, earlier on PATH: it must not run itself.
    await fs.symlink(TEAMMATE, path.join(self, 'claude'));
    await fakeClaude(path.join(root, 'bin'), record);
    const project = path.join(root, 'project');
    await fs.mkdir(project);
    const r = await run(ARGV, { ...process.env, PATH: `${self}${path.delimiter}${path.join(root, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`, TEAMS_PROBE: 'kept' }, project);
    expect(r.code, r.stderr).toBe(7);
    expect((await fs.readFile(record, 'utf8')).split('\n').filter(Boolean)).toEqual([...ARGV, 'env kept']);
    // Nothing of teamstate's is made for a teammate it doesn't run.
    await expect(fs.access(path.join(project, '.teamstate'))).rejects.toThrow();
  });

  it('should run TEAMSTATE_CLAUDE_BIN when it is set, and say what to do when no claude can be found', async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'teamstate-pass-'));
    const record = path.join(root, 'argv.txt');
    await fakeClaude(path.join(root, 'elsewhere'), record);
    const r = await run(ARGV, { ...process.env, PATH: '/usr/bin:/bin', TEAMSTATE_CLAUDE_BIN: path.join(root, 'elsewhere', 'claude') }, root);
    expect(r.code, r.stderr).toBe(7);
    expect((await fs.readFile(record, 'utf8')).split('\n')[1]).toBe('analyst@session-84bde2e9');
    const none = await run(ARGV, { ...process.env, PATH: '/nonexistent' }, root);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no claude found on PATH .*set TEAMSTATE_CLAUDE_BIN/);
  });
});
