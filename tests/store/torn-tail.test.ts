import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFolderStore } from '../../src/store/folder-store.js';
import { journalFile, recs, tempDir } from './helpers.js';

/** A run with three good records whose journal then gets `damage` appended (or applied). */
async function damaged(damage: (good: Buffer) => Buffer): Promise<{ dir: string; file: string; goodBytes: number }> {
  const dir = await tempDir();
  const store = createFolderStore(dir);
  await store.append('r', recs(1, 3, { text: 'żółw 🐢' }));
  await store.close();
  const file = journalFile(dir, 'r');
  const good = await fs.readFile(file);
  await fs.writeFile(file, damage(good));
  return { dir, file, goodBytes: good.length };
}

const nextLine = async (): Promise<Buffer> => {
  const dir = await tempDir();
  const s = createFolderStore(dir, { fsync: false });
  await s.append('x', recs(1, 4, { text: 'żółw 🐢' }));
  await s.close();
  const lines = (await fs.readFile(journalFile(dir, 'x'))).toString('utf8').split('\n');
  return Buffer.from(`${lines[3]}\n`);
};

describe('a torn journal tail', () => {
  it.each([
    ['half a line', (l: Buffer) => l.subarray(0, Math.floor(l.length / 2)), /no trailing newline/],
    ['a whole line without its newline', (l: Buffer) => l.subarray(0, l.length - 1), /no trailing newline/],
    ['a line with a bad checksum', (l: Buffer) => Buffer.from(l.toString('utf8').replace('"n":40', '"n":41')), /checksum mismatch/],
    ['a line cut in the middle of a UTF-8 character', (l: Buffer) => l.subarray(0, l.indexOf(Buffer.from('🐢')) + 2), /no trailing newline/],
    ['zeros from a lost block', (l: Buffer) => Buffer.alloc(l.length), /no trailing newline/],
    ['a bad line then a partial one', (l: Buffer) => Buffer.concat([Buffer.from('garbage\n'), l.subarray(0, 10)]), /not a journal line/],
  ])('is recovered when it is %s, keeping the torn bytes', async (_name, cut, reason) => {
    const line = await nextLine();
    const tornBytes = cut(line);
    const { dir, file, goodBytes } = await damaged((good) => Buffer.concat([good, tornBytes]));
    const reader = createFolderStore(dir, { readOnly: true });
    const seen = await reader.read('r');
    expect(seen.records.map((x) => x.seq)).toEqual([1, 2, 3]);
    expect(seen.note).toMatch(reason);
    expect(seen.note).toMatch(/the engine repairs it on start/);
    expect((await fs.readFile(file)).length).toBe(goodBytes + tornBytes.length);
    await reader.close();

    const store = createFolderStore(dir);
    const loaded = await store.load('r');
    expect(loaded.tail.map((x) => x.seq)).toEqual([1, 2, 3]);
    expect(loaded.note).toMatch(reason);
    expect(loaded.note).toContain(`${tornBytes.length} bytes at ${goodBytes}`);
    expect((await fs.readFile(file)).length).toBe(goodBytes);
    expect(await fs.readFile(path.join(dir, 'r', `journal.torn.${goodBytes}`))).toEqual(tornBytes);
    expect((await store.read('r')).note).toBeUndefined();

    await store.append('r', recs(4, 4));
    expect((await store.read('r')).records.map((x) => x.seq)).toEqual([1, 2, 3, 4]);
    await store.close();
  });

  it('is cut by an append that finds it, without a load first', async () => {
    const line = await nextLine();
    const { dir, file, goodBytes } = await damaged((good) => Buffer.concat([good, line.subarray(0, 9)]));
    const store = createFolderStore(dir);
    await store.append('r', recs(4, 4));
    expect((await store.read('r')).records.map((x) => x.seq)).toEqual([1, 2, 3, 4]);
    expect(await fs.readFile(path.join(dir, 'r', `journal.torn.${goodBytes}`))).toEqual(line.subarray(0, 9));
    expect((await fs.readFile(file)).length).toBeGreaterThan(goodBytes);
    await store.close();
  });

  it('keeps each torn piece when the same offset tears twice', async () => {
    const { dir } = await damaged((good) => Buffer.concat([good, Buffer.from('{"c":"x')]));
    const store = createFolderStore(dir);
    await store.read('r');
    const file = journalFile(dir, 'r');
    await fs.appendFile(file, '{"c":"y');
    await store.read('r');
    const names = (await fs.readdir(path.join(dir, 'r'))).filter((n) => n.startsWith('journal.torn.')).sort();
    expect(names).toHaveLength(2);
    const pieces = await Promise.all(names.map((n) => fs.readFile(path.join(dir, 'r', n), 'utf8')));
    expect(pieces.sort()).toEqual(['{"c":"x', '{"c":"y']);
    await store.close();
  });

  it('is nothing to repair when the journal is whole', async () => {
    const { dir, file, goodBytes } = await damaged((good) => good);
    const store = createFolderStore(dir);
    expect((await store.load('r')).note).toBeUndefined();
    expect((await fs.readFile(file)).length).toBe(goodBytes);
    expect((await fs.readdir(path.join(dir, 'r'))).some((n) => n.includes('torn'))).toBe(false);
    await store.close();
  });
});
