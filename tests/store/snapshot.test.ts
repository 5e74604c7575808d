import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFolderStore } from '../../src/store/folder-store.js';
import { journalFile, plainLoad, recs, tempDir } from './helpers.js';

async function runWithSnapshot(): Promise<{ dir: string; snapFile: string }> {
  const dir = await tempDir();
  const store = createFolderStore(dir);
  await store.append('r', recs(1, 5));
  await store.writeSnapshot('r', 5, { state: 'planning', count: 5 });
  await store.close();
  return { dir, snapFile: path.join(dir, 'r', 'snapshot.json') };
}

describe('load() and the snapshot cache', () => {
  it('returns the snapshot alone when it matches the end of the journal', async () => {
    const { dir } = await runWithSnapshot();
    const store = createFolderStore(dir);
    const data = { state: 'planning', count: 5 };
    expect(plainLoad(await store.load('r'))).toEqual({ snapshot: { seq: 5, data }, tail: [] });
    const readOnly = createFolderStore(dir, { readOnly: true });
    expect(await readOnly.load('r')).toEqual({ snapshot: { seq: 5, data }, tail: [] });
    await readOnly.close();
    await store.close();
  });

  it('reads a cached state with a head only when it is asked for, and refuses one replaced meanwhile', async () => {
    const dir = await tempDir();
    const store = createFolderStore(dir);
    await store.append('r', recs(1, 2));
    await store.writeSnapshot('r', 2, { state: 'waiting' }, { hold: true });
    const loaded = await store.load('r');
    expect(loaded.snapshot?.head).toEqual({ hold: true });
    expect(loaded.snapshot?.data).toEqual({ state: 'waiting' });
    const stale = await store.load('r');
    await store.append('r', recs(3, 3));
    await store.writeSnapshot('r', 3, { state: 'moved on' }, { hold: true });
    expect(() => stale.snapshot?.data).toThrow(/replaced or damaged while it was read/);
    expect((await store.load('r')).snapshot?.data).toEqual({ state: 'moved on' });
    await store.close();
  });

  it('reads only the end of the journal when the snapshot is current', async () => {
    const { dir } = await runWithSnapshot();
    const file = journalFile(dir, 'r');
    // Damage line 1: a load that read the whole journal would throw.
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('"n":10', '"n":11'));
    const store = createFolderStore(dir);
    expect((await store.load('r')).snapshot?.seq).toBe(5);
    await expect(store.read('r')).rejects.toThrow(/line 1/);
    await store.close();
  });

  it('adds the records journaled after a stale snapshot', async () => {
    const { dir } = await runWithSnapshot();
    const store = createFolderStore(dir);
    await store.append('r', recs(6, 8));
    const fresh = createFolderStore(dir);
    const loaded = await fresh.load('r');
    expect(loaded.snapshot?.seq).toBe(5);
    expect(loaded.tail.map((x) => x.seq)).toEqual([6, 7, 8]);
    await Promise.all([store.close(), fresh.close()]);
  });

  it.each([
    ['is garbage', (s: string) => s.slice(0, 20)],
    ['fails its checksum', (s: string) => s.replace('planning', 'plannimg')],
    ['points past the end of the journal', (s: string) => s.replace(/"journalBytes":\d+/, '"journalBytes":999999')],
  ])('falls back to the whole journal when the snapshot %s', async (_name, spoil) => {
    const { dir, snapFile } = await runWithSnapshot();
    const text = await fs.readFile(snapFile, 'utf8');
    await fs.writeFile(snapFile, spoil(text));
    const store = createFolderStore(dir);
    const loaded = await store.load('r');
    expect(loaded.snapshot).toBeUndefined();
    expect(loaded.tail.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5]);
    await store.close();
  });

  it('falls back to the whole journal when a snapshot with a head is cut after its head line', async () => {
    const dir = await tempDir();
    const store = createFolderStore(dir);
    await store.append('r', recs(1, 5));
    await store.writeSnapshot('r', 5, { state: 'planning' }, { waiting: true });
    await store.close();
    const snapFile = path.join(dir, 'r', 'snapshot.json');
    const text = await fs.readFile(snapFile, 'utf8');
    // What a reader (or a crash) can meet while the cache is rewritten in place: the head line whole, the data not yet.
    await fs.writeFile(snapFile, text.slice(0, text.indexOf('\n') + 1));
    const fresh = createFolderStore(dir);
    const loaded = await fresh.load('r');
    expect(loaded.snapshot).toBeUndefined();
    expect(loaded.tail.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5]);
    await fresh.close();
  });

  it('rewrites the snapshot in the same file, and never through a hard link put in its place', async () => {
    const { dir, snapFile } = await runWithSnapshot();
    const store = createFolderStore(dir);
    await store.append('r', recs(6, 6));
    const ino = (await fs.stat(snapFile)).ino;
    await store.writeSnapshot('r', 6, { state: 'implementing' });
    expect((await fs.stat(snapFile)).ino).toBe(ino);
    const elsewhere = path.join(dir, 'elsewhere.txt');
    await fs.writeFile(elsewhere, 'not the engine’s');
    await fs.rm(snapFile);
    await fs.link(elsewhere, snapFile);
    await store.append('r', recs(7, 7));
    await store.writeSnapshot('r', 7, { state: 'reviewing' });
    expect(await fs.readFile(elsewhere, 'utf8')).toBe('not the engine’s');
    await store.close();
    expect((await createFolderStore(dir).load('r')).snapshot).toMatchObject({ seq: 7, data: { state: 'reviewing' } });
  });

  it('falls back to the journal when the journal no longer holds the snapshot’s record where it says', async () => {
    const { dir } = await runWithSnapshot();
    // The journal was rewritten shorter (e.g. a lost unsynced write): record 5 is gone.
    const file = journalFile(dir, 'r');
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    await fs.writeFile(file, `${lines.slice(0, 4).join('\n')}\n`);
    const s2 = createFolderStore(dir);
    // Same length as the lost record 5, so only its checksum tells them apart.
    await s2.append('r', [{ seq: 5, type: 'event', n: 51 }]);
    const loaded = await s2.load('r');
    expect(loaded.snapshot).toBeUndefined();
    expect(loaded.tail.at(-1)).toEqual({ seq: 5, type: 'event', n: 51 });
    await s2.close();
  });

  it('finds the offset of an older seq and refuses a snapshot ahead of the journal', async () => {
    const dir = await tempDir();
    const store = createFolderStore(dir);
    for (let i = 1; i <= 20; i++) await store.append('r', recs(i, i));
    await store.writeSnapshot('r', 3, { at: 3 });
    const loaded = await createFolderStore(dir).load('r');
    expect(plainLoad(loaded).snapshot).toEqual({ seq: 3, data: { at: 3 } });
    expect(loaded.tail.map((x) => x.seq)).toEqual(Array.from({ length: 17 }, (_, i) => i + 4));
    await expect(store.writeSnapshot('r', 21, {})).rejects.toThrow(/only 20 records; journal first/);
    await store.close();
  });

  it('serves a record longer than the look-back window', async () => {
    const dir = await tempDir();
    const store = createFolderStore(dir);
    await store.append('r', recs(1, 2, { big: 'b'.repeat(50_000) }));
    await store.writeSnapshot('r', 2, 'state');
    await store.append('r', recs(3, 3));
    const loaded = await createFolderStore(dir).load('r');
    expect(plainLoad(loaded).snapshot).toEqual({ seq: 2, data: 'state' });
    expect(loaded.tail.map((x) => x.seq)).toEqual([3]);
    await store.close();
  });
});

describe('finished runs', () => {
  it('are left out of listRuns({ unfinishedOnly }) but still listed and readable', async () => {
    const dir = await tempDir();
    const store = createFolderStore(dir);
    await Promise.all(['b', 'a', 'c'].map((id) => store.append(id, recs(1, 1))));
    await fs.mkdir(path.join(dir, 'no-journal'));
    await fs.writeFile(path.join(dir, 'stray-file'), '');
    await store.markFinished('b');
    expect(await store.listRuns()).toEqual(['a', 'b', 'c']);
    expect(await store.listRuns({ unfinishedOnly: true })).toEqual(['a', 'c']);
    expect((await store.read('b')).records).toHaveLength(1);
    await store.close();
  });

  it('ignore a torn last line of the finished index', async () => {
    const dir = await tempDir();
    const store = createFolderStore(dir);
    await Promise.all(['a', 'ab'].map((id) => store.append(id, recs(1, 1))));
    await store.markFinished('ab');
    await fs.appendFile(path.join(dir, '.finished'), 'a');
    expect(await store.listRuns({ unfinishedOnly: true })).toEqual(['a']);
    await store.close();
  });

  it('list as empty when the runs folder does not exist yet', async () => {
    const dir = await tempDir();
    expect(await createFolderStore(path.join(dir, 'runs')).listRuns()).toEqual([]);
  });
});
