import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/workspace/config.js';
import { STEPS } from '../../src/workspace/config-schema.js';
import { runCli } from '../workspace/cli-helpers.js';
import { exists, tempDir } from '../workspace/helpers.js';

describe('teamstate init', () => {
  it('creates the layout and a commented config in DIR', async () => {
    const cwd = await tempDir();
    const r = await runCli(['init', 'ws'], { cwd });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/Created workspace .*ws/);
    const config = await loadConfig(path.join(cwd, 'ws'));
    expect(config.members).toEqual(['analyst', 'conductor', 'backend-engineer', 'breaker', 'sentinel', 'librarian']);
    expect(config.aliases).toEqual({ builder: 'backend-engineer' });
    expect(await fs.readFile(path.join(cwd, 'ws', 'teamstate.json'), 'utf8')).toMatch(/\/\/ /);
    for (const sub of ['tmp', 'new', 'cur', 'rejected']) expect(await exists(path.join(cwd, 'ws', 'inboxes', 'sentinel', sub))).toBe(true);
    for (const d of ['runs', 'tasks', 'control']) expect(await exists(path.join(cwd, 'ws', d))).toBe(true);
  });

  it('says what to do next with the path as typed from here, or the whole path when the workspace is not under here', async () => {
    const cwd = await tempDir();
    const here = await runCli(['init', 'ws'], { cwd, fromSource: true });
    expect(here.stdout).toContain(`Next: edit ${path.join('ws', 'teamstate.json')} (steps, project), then \`teamstate start --workspace ws\`.`);
    const elsewhere = path.join(await tempDir(), 'team', 'ws');
    const away = await runCli(['init', elsewhere], { cwd, fromSource: true });
    expect(away.stdout).toContain(`Next: edit ${path.join(elsewhere, 'teamstate.json')} (steps, project), then \`teamstate start --workspace ${elsewhere}\`.`);
  });

  it('defaults to ./workspace, and to . once ./teamstate.json exists (then refuses to overwrite it)', async () => {
    const cwd = await tempDir();
    expect((await runCli(['init'], { cwd })).code).toBe(0);
    expect(await exists(path.join(cwd, 'workspace', 'teamstate.json'))).toBe(true);
    await fs.writeFile(path.join(cwd, 'teamstate.json'), '{}');
    const again = await runCli(['init'], { cwd });
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`teamstate: ${path.join(cwd, 'teamstate.json')} already exists; keep it, or pass --force to replace it with the default (inboxes, runs and tasks are kept)\n`);
    expect(await fs.readFile(path.join(cwd, 'teamstate.json'), 'utf8')).toBe('{}');
  });

  it('writes every step as instant with --preset instant, over an existing config with --force', async () => {
    const cwd = await tempDir();
    await runCli(['init', '--workspace', 'w'], { cwd });
    expect((await runCli(['init', '--workspace', 'w', '--preset', 'instant'], { cwd })).code).toBe(1);
    expect((await runCli(['init', '--workspace', 'w', '--preset', 'instant', '--force'], { cwd })).code).toBe(0);
    const config = await loadConfig(path.join(cwd, 'w'));
    for (const step of STEPS) expect(config.steps[step]).toEqual({ kind: 'instant' });
  });

  it('refuses an unknown preset and shows help', async () => {
    const cwd = await tempDir();
    const bad = await runCli(['init', 'x', '--preset', 'fast'], { cwd });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Allowed choices are default, instant/);
    const help = await runCli(['init', '--help'], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: teamstate init \[options\] \[dir\]/);
    expect(await exists(path.join(cwd, 'x'))).toBe(false);
  });
});
