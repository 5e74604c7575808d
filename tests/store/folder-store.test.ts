import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalCorruptError } from '../../src/store/errors.js';
import { createFolderStore, type FolderStore } from '../../src/store/folder-store.js';
import { journalFile, recs, tempDir } from './helpers.js';

let stores: FolderStore[] = [];
afterEach(async () => {
  await Promise.all(stores.map((s) => s.close()));
  stores = [];
});
async function setup(opts: Parameters<typeof createFolderStore>[1] = {}): Promise<{ dir: string; store: FolderStore; reopen(): FolderStore }> {
  const dir = await tempDir();
  const make = (): FolderStore => {
    const s = createFolderStore(dir, opts);
    stores.push(s);
    return s;
  };
  return { dir, store: make(), reopen: make };
}

describe('the folder run store', () => {
  it('reads back what was appended, across a reopen', async () => {
    const { store, reopen } = await setup();
    await store.append('run-1', recs(1, 3, { text: 'héllo ✓ "quoted"\nnewline' }));
    await store.append('run-1', recs(4, 4));
    await store.close();
    const again = reopen();
    const r = await again.read('run-1');
    expect(r.note).toBeUndefined();
    expect(r.records.map((x) => x.seq)).toEqual([1, 2, 3, 4]);
    expect(r.records[0]).toEqual({ seq: 1, type: 'event', n: 10, text: 'héllo ✓ "quoted"\nnewline' });
    await again.append('run-1', recs(5, 5));
    expect((await again.read('run-1')).records).toHaveLength(5);
  });

  it('writes one self-checking JSON line per record', async () => {
    const { dir, store } = await setup();
    await store.append('r', recs(1, 2));
    const lines = (await fs.readFile(journalFile(dir, 'r'), 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0] as string)).toEqual({ c: expect.stringMatching(/^[0-9a-f]{8}$/), p: { seq: 1, type: 'event', n: 10 } });
  });

  it('refuses an append that does not continue the seq', async () => {
    const { store } = await setup();
    await store.append('r', recs(1, 2));
    await expect(store.append('r', recs(4, 4))).rejects.toThrow(/starts? at seq 4, but the journal needs 3/);
    await expect(store.append('r', recs(2, 2))).rejects.toThrow(/needs 3/);
    await expect(store.append('r', [{ seq: 3 }, { seq: 5 }])).rejects.toThrow(/consecutive/);
    await expect(store.append('other', recs(2, 2))).rejects.toThrow(/needs 1/);
    await store.append('r', recs(3, 3));
    expect((await store.read('r')).records.map((x) => x.seq)).toEqual([1, 2, 3]);
  });

  it('starts a new run in a journal a crash left empty, and never starts one over a journal that has records', async () => {
    const { dir, store } = await setup();
    // Made by an engine killed before the first record was durable: empty.
    await fs.mkdir(path.dirname(journalFile(dir, 'left-empty')), { recursive: true });
    await fs.writeFile(journalFile(dir, 'left-empty'), '');
    await store.append('left-empty', recs(1, 2));
    expect((await store.read('left-empty')).records.map((x) => x.seq)).toEqual([1, 2]);
    // A journal of another process's run of the same id: seq 1 again would fork it.
    const other = await setup();
    await other.store.append('taken', recs(1, 3));
    await other.store.close();
    await fs.mkdir(path.dirname(journalFile(dir, 'taken')), { recursive: true });
    await fs.copyFile(journalFile(other.dir, 'taken'), journalFile(dir, 'taken'));
    await expect(store.append('taken', recs(1, 1))).rejects.toThrow(/starts? at seq 1, but the journal needs 4/);
    await store.append('taken', recs(4, 4));
    expect((await store.read('taken')).records.map((x) => x.seq)).toEqual([1, 2, 3, 4]);
  });

  it("makes a new run's journal ahead when asked, and its first append, sent at once or later, writes into it", async () => {
    const { dir, store, reopen } = await setup({ wal: true });
    store.prepare!('at-once');
    await store.append('at-once', recs(1, 2));
    store.prepare!('later');
    await new Promise((r) => setTimeout(r, 50));
    expect(await fs.readFile(journalFile(dir, 'later'), 'utf8')).toBe('');
    await store.append('later', recs(1, 1));
    // Asked again for a run that has records: nothing changes.
    store.prepare!('at-once');
    await store.append('at-once', recs(3, 3));
    await store.close();
    const again = reopen();
    expect((await again.read('at-once')).records.map((x) => x.seq)).toEqual([1, 2, 3]);
    expect((await again.read('later')).records.map((x) => x.seq)).toEqual([1]);
  });

  it('refuses a run id that is not a plain name', async () => {
    const { store } = await setup();
    await expect(store.append('../escape', recs(1, 1))).rejects.toThrow(/run id/);
    await expect(store.read('a/b')).rejects.toThrow(/path separator/);
  });

  it('names the run when reading one that does not exist', async () => {
    const { store } = await setup();
    await expect(store.read('nope')).rejects.toThrow(/no run "nope"/);
  });

  it('detects a seq gap or repeat in the file as corruption, naming file and line', async () => {
    const { dir, store } = await setup();
    await store.append('r', recs(1, 3));
    await store.close();
    const file = journalFile(dir, 'r');
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    await fs.writeFile(file, [lines[0], lines[2], ''].join('\n'));
    const err = await createFolderStore(dir).read('r').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JournalCorruptError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/line 2 .*seq 3 where 2 was expected \(gap\)/);
    await fs.writeFile(file, [lines[0], lines[1], lines[1], ''].join('\n'));
    await expect(createFolderStore(dir).read('r')).rejects.toThrow(/line 3 .*\(repeat\)/);
  });

  it('raises a clear error for a bad line in the middle instead of skipping it', async () => {
    const { dir, store } = await setup();
    await store.append('r', recs(1, 3));
    const file = journalFile(dir, 'r');
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.replace('"n":20', '"n":21'));
    const fresh = createFolderStore(dir);
    stores.push(fresh);
    await expect(fresh.read('r')).rejects.toThrow(/line 2 .*checksum mismatch, yet line 3 after it is intact/);
    await expect(fresh.load('r')).rejects.toBeInstanceOf(JournalCorruptError);
  });
});

describe('reading a run synchronously', () => {
  it('is refused while an append of the run is in flight, and served once it is durable', async () => {
    // The journal's fsync held until released: the append stays in flight meanwhile.
    let release: (() => void) | undefined;
    let syncing = false;
    const { store } = await setup({
      syncFile: async (fh) => {
        syncing = true;
        await new Promise<void>((r) => (release = r));
        await fh.sync();
      },
    });
    const first = store.append('r', recs(1, 1));
    for (let i = 0; i < 1000 && !syncing; i++) await new Promise((r) => setTimeout(r, 1));
    expect(store.readableNow?.('r')).toBe(false);
    expect(store.loadSync?.('r')).toBeUndefined();
    release!();
    await first;
    expect(store.readableNow?.('r')).toBe(true);
    expect(store.loadSync?.('r')?.tail.map((r) => r.seq)).toEqual([1]);
  });
});
