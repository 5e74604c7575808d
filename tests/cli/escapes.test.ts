import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { packageRoot } from '../../src/package-root.js';
import { drop, HANDOFF_BODY, settle, tempWorkspace } from '../engine/helpers.js';
import { runCli } from '../workspace/cli-helpers.js';

/** A title-setting sequence, a colour, a carriage return and a right-to-left override. */
const HOSTILE = 'sign\u001b]0;pwned\u0007up \u001b[31mred\rEVIL \u202egpj';
const BAD_NAME = 'bad\u001b]0;owned\u0007.md';
// eslint-disable-next-line no-control-regex -- the raw control characters this test must not see
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

async function hostileWorkspace() {
  const paths = await tempWorkspace('instant', (c) => (c.fsync = false));
  await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 'esc-1', body: HANDOFF_BODY.replace('user signup', HOSTILE) });
  await fs.writeFile(path.join(paths.inbox('backend-engineer').new, BAD_NAME), 'not a message at all');
  return paths;
}

describe('escape sequences from message text and file names', () => {
  it('are shown as visible escapes by runs, show and inbox, and kept exact by --json', async () => {
    const paths = await hostileWorkspace();
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    await settle(engine);
    await engine.stop();
    const cli = (args: string[]) => runCli([...args, '--workspace', paths.root], { cwd: paths.root, fromSource: true });

    for (const args of [['runs'], ['show', 'esc-1'], ['inbox', 'backend-engineer']]) {
      const r = await cli(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, args.join(' ')).not.toMatch(RAW);
    }
    expect((await cli(['runs'])).stdout).toContain('sign\\e]0;pwned\\x07up');
    expect((await cli(['show', 'esc-1'])).stdout).toContain('sign\\e]0;pwned\\x07up \\e[31mred');
    expect((await cli(['inbox', 'backend-engineer'])).stdout).toContain('bad\\e]0;owned\\x07.md');

    const runs = JSON.parse((await cli(['runs', '--json'])).stdout) as { task: string }[];
    expect(runs[0]?.task).toContain('sign\u001b]0;pwned\u0007up \u001b[31mred');
    const inbox = JSON.parse((await cli(['inbox', 'backend-engineer', '--json'])).stdout) as { rejected: { name: string }[] };
    expect(inbox.rejected.map((e) => e.name)).toContain(BAD_NAME);
  });

  it('are shown as visible escapes in the headless log, one line per entry', async () => {
    const paths = await hostileWorkspace();
    const root = packageRoot();
    const loader = pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href;
    const child = spawn(process.execPath, ['--import', loader, path.join(root, 'src/cli/main.ts'), 'start', '--headless', '--workspace', paths.root], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exit = new Promise((r) => child.on('exit', r));
    for (let i = 0; i < 600 && !out.includes('bad\\e]0;owned'); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    await exit;
    expect(out).toContain('new/bad\\e]0;owned\\x07.md');
    expect(out).not.toMatch(RAW);
    for (const line of out.trimEnd().split('\n')) expect(line).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});
