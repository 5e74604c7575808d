import { spawnSync } from 'node:child_process';
import { promises as fs, linkSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPARES_KEPT, RewriteSpares } from '../../src/workspace/rewrite-spares.js';
import { tempDir } from './helpers.js';

const sparesIn = async (dir: string) => (await fs.readdir(dir)).filter((n) => n.startsWith('.spare.'));
/** The pid of a process that has exited: a spare of it is a leftover. */
const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
const spareName = (pid: number, n: number) => `.spare.${pid}.${n.toString(16).padStart(12, '0')}.tmp`;

describe('spare files (atomic rewrites that neither make nor free a file)', () => {
  it('replaces a file with the new content, as writeFileAtomic does, and creates it when missing', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 't1.json');
    const spares = new RewriteSpares(dir);
    await spares.replace(file, 'first\n');
    expect(await fs.readFile(file, 'utf8')).toBe('first\n');
    await spares.replace(file, 'a longer second version\n');
    await spares.replace(file, 'third\n');
    expect(await fs.readFile(file, 'utf8')).toBe('third\n');
  });

  it('reuses the inode a rewrite replaced as the next rewrite’s file, so a file rewritten again and again takes no new inodes', async () => {
    const dir = await tempDir();
    const a = path.join(dir, 'a.json');
    const spares = new RewriteSpares(dir);
    await spares.replace(a, 'v1\n');
    await spares.replace(a, 'v2\n');
    const inodes = new Set<number>();
    for (let i = 3; i < 40; i++) {
      await spares.replace(a, `v${i}\n`);
      inodes.add(statSync(a).ino);
    }
    // Two inodes take turns: the file and its spare.
    expect(inodes.size).toBeLessThanOrEqual(2);
    expect(await fs.readFile(a, 'utf8')).toBe('v39\n');
    expect((await sparesIn(dir)).length).toBeLessThanOrEqual(1);
  });

  it('never writes into a spare that still has another name, as a crash between the link and the rename leaves it', async () => {
    const dir = await tempDir();
    const live = path.join(dir, 'live.json');
    await fs.writeFile(live, 'the live task\n');
    // A gone process's spare that is also the live file.
    linkSync(live, path.join(dir, spareName(deadPid(), 1)));
    const spares = new RewriteSpares(dir);
    await spares.replace(path.join(dir, 'other.json'), 'other\n');
    expect(await fs.readFile(live, 'utf8')).toBe('the live task\n');
    expect(await fs.readFile(path.join(dir, 'other.json'), 'utf8')).toBe('other\n');
  });

  it('does not write through a link or into a FIFO planted under a spare’s name', async () => {
    const dir = await tempDir();
    const outside = path.join(await tempDir(), 'outside.txt');
    await fs.writeFile(outside, 'not yours\n');
    const dead = deadPid();
    await fs.symlink(outside, path.join(dir, spareName(dead, 1)));
    spawnSync('mkfifo', [path.join(dir, spareName(dead, 2))]);
    const spares = new RewriteSpares(dir);
    const file = path.join(dir, 't.json');
    await spares.replace(file, 'one\n');
    await spares.replace(file, 'two\n');
    expect(await fs.readFile(outside, 'utf8')).toBe('not yours\n');
    expect(await fs.readFile(file, 'utf8')).toBe('two\n');
    for (const n of await sparesIn(dir)) expect((await fs.lstat(path.join(dir, n))).isFile()).toBe(true);
  });

  it('keeps at most SPARES_KEPT spares, however many a gone process left, and leaves a live process’s alone', async () => {
    const dir = await tempDir();
    const dead = deadPid();
    for (let i = 0; i < SPARES_KEPT * 2; i++) await fs.writeFile(path.join(dir, spareName(dead, i)), 'old spare\n');
    const liveOne = spareName(process.ppid, 7);
    await fs.writeFile(path.join(dir, liveOne), 'a live process’s spare\n');
    const spares = new RewriteSpares(dir);
    for (let i = 0; i < 5; i++) await spares.replace(path.join(dir, `t${i}.json`), `task ${i}\n`);
    const left = await sparesIn(dir);
    expect(left).toContain(liveOne);
    expect(left.filter((n) => n !== liveOne).length).toBeLessThanOrEqual(SPARES_KEPT);
    for (let i = 0; i < 5; i++) expect(await fs.readFile(path.join(dir, `t${i}.json`), 'utf8')).toBe(`task ${i}\n`);
  });

  it('keeps rewrites of different files going side by side apart', async () => {
    const dir = await tempDir();
    const spares = new RewriteSpares(dir);
    await Promise.all(Array.from({ length: 30 }, (_, i) => spares.replace(path.join(dir, `t${i % 5}.json`), `task ${i % 5} round ${i}\n`)));
    for (let i = 0; i < 5; i++) expect(await fs.readFile(path.join(dir, `t${i}.json`), 'utf8')).toMatch(new RegExp(`^task ${i} round \\d+\\n$`));
    for (const n of await sparesIn(dir)) expect(statSync(path.join(dir, n)).nlink).toBe(1);
  });
});
