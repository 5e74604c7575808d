import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/workspace/config.js';
import { initWorkspace } from '../../src/workspace/init.js';
import { exists, tempDir } from './helpers.js';

describe('initWorkspace', () => {
  it('creates the config and every folder of the layout', async () => {
    const dir = path.join(await tempDir(), 'ws');
    await initWorkspace(dir);
    const config = await loadConfig(dir);
    expect(config.members).toHaveLength(6);
    for (const d of ['runs', 'tasks', 'control']) expect(await exists(path.join(dir, d))).toBe(true);
    for (const m of config.members) {
      expect((await fs.readdir(path.join(dir, 'inboxes', m))).sort()).toEqual(['cur', 'new', 'rejected', 'tmp']);
    }
    expect(await fs.readFile(path.join(dir, 'teamstate.json'), 'utf8')).toMatch(/^\/\/ teamstate workspace config/);
  });

  it('refuses to overwrite an existing config unless forced, and keeps the inboxes when forced', async () => {
    const dir = await tempDir();
    await initWorkspace(dir);
    await fs.writeFile(path.join(dir, 'teamstate.json'), '// mine\n{}');
    await fs.writeFile(path.join(dir, 'inboxes', 'analyst', 'new', 'm.md'), 'x');
    await expect(initWorkspace(dir)).rejects.toThrow(/teamstate\.json already exists; keep it, or pass --force/);
    expect(await fs.readFile(path.join(dir, 'teamstate.json'), 'utf8')).toBe('// mine\n{}');
    await initWorkspace(dir, { force: true, preset: 'instant' });
    expect((await loadConfig(dir)).steps.plan).toEqual({ kind: 'instant' });
    expect(await fs.readFile(path.join(dir, 'inboxes', 'analyst', 'new', 'm.md'), 'utf8')).toBe('x');
  });

  it('says so when the place for the workspace is a file', async () => {
    const file = path.join(await tempDir(), 'f');
    await fs.writeFile(file, 'x');
    await expect(initWorkspace(file)).rejects.toThrow(/f: not a folder; choose another place/);
  });
});
