import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { endLeftovers, noteRunning } from '../../src/handlers/leftovers.js';
import { isAlive, processStartTicks } from '../../src/handlers/process-tree.js';
import { tempWorld, waitForFile } from './helpers.js';

const TREE = `
const { spawn } = require('node:child_process');
process.on('SIGTERM', () => {});
const g = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1e6)"], { stdio: 'ignore' });
require('node:fs').writeFileSync(process.argv[1], JSON.stringify({ child: process.pid, grandchild: g.pid }));
setInterval(() => {}, 1e6);
`;

describe('endLeftovers', () => {
  it.runIf(process.platform === 'linux')('ends the process group a crashed engine left running in a step folder', async () => {
    const world = await tempWorld();
    const dir = join(world.steps, 'implement-1');
    const pids = join(world.root, 'pids.json');
    // As the command handler would have started it, before "the engine crashed".
    const child = spawn(process.execPath, ['-e', TREE, pids], { detached: true, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await waitForFile(pids);
    await mkdir(dir, { recursive: true });
    noteRunning(dir, child.pid!, ['node', 'tree'], Date.now());
    const tree = JSON.parse(await readFile(pids, 'utf8'));
    expect(await endLeftovers(dir, 200)).toEqual([child.pid]);
    await exited;
    expect(isAlive(tree.child)).toBe(false);
    expect(isAlive(tree.grandchild)).toBe(false);
    expect(existsSync(join(dir, 'running.json'))).toBe(false);
  });

  it('leaves alone a process that merely reuses the recorded pid', async () => {
    const world = await tempWorld();
    const dir = join(world.steps, 'fix-1');
    await mkdir(dir, { recursive: true });
    const ticks = processStartTicks(process.pid) ?? 0;
    await writeFile(join(dir, 'running.json'), JSON.stringify({ pid: process.pid, startTicks: ticks + 1, startedAt: '', argv: [] }));
    expect(await endLeftovers(dir, 200)).toEqual([]);
    expect(existsSync(join(dir, 'running.json'))).toBe(false);
  });
});
