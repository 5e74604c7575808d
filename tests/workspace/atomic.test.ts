import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fsyncDir, writeFileAtomic } from '../../src/workspace/atomic.js';
import { tempDir } from './helpers.js';

describe('writeFileAtomic', () => {
  it('replaces a file and leaves no temp file behind', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'a.json');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, new TextEncoder().encode('two'), { fsync: false });
    expect(await fs.readFile(file, 'utf8')).toBe('two');
    expect(await fs.readdir(dir)).toEqual(['a.json']);
  });

  it('stages in tmpDir when given, then renames into place', async () => {
    const dir = await tempDir();
    await fs.mkdir(path.join(dir, 'tmp'));
    await fs.mkdir(path.join(dir, 'new'));
    await writeFileAtomic(path.join(dir, 'new', 'm.md'), 'hello', { tmpDir: path.join(dir, 'tmp') });
    expect(await fs.readFile(path.join(dir, 'new', 'm.md'), 'utf8')).toBe('hello');
    expect(await fs.readdir(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('removes its temp file and keeps the old content when the rename fails', async () => {
    const dir = await tempDir();
    const target = path.join(dir, 'target');
    await fs.mkdir(target);
    await fs.writeFile(path.join(target, 'keep'), 'x');
    await expect(writeFileAtomic(target, 'data')).rejects.toThrow();
    expect(await fs.readdir(dir)).toEqual(['target']);
    expect(await fs.readFile(path.join(target, 'keep'), 'utf8')).toBe('x');
  });

  it('syncs a folder', async () => {
    await expect(fsyncDir(await tempDir())).resolves.toBeUndefined();
  });
});
