import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JournalCorruptError } from '../../src/store/errors.js';
import { createFolderStore } from '../../src/store/folder-store.js';
import { readWal } from '../../src/store/wal.js';
import { makeTemp } from '../temp.js';
import { journalFile, recs, tempDir } from './helpers.js';

const walFile = (dir: string): string => path.join(dir, '.wal.jsonl');

/**
 * A store that crashed with acknowledged appends in its WAL, one entry per append in
 * order: the WAL is copied while they are in it, the store closed (which empties it),
 * and the copy put back.
 */
async function crashed(appends: [string, number, number][]): Promise<{ dir: string; wal: Buffer }> {
  const dir = await tempDir();
  const store = createFolderStore(dir, { wal: true });
  for (const [id, from, to] of appends) await store.append(id, recs(from, to));
  const wal = await fs.readFile(walFile(dir));
  await store.close();
  await fs.writeFile(walFile(dir), wal);
  return { dir, wal };
}

/** Where the entry of `runId` starting at record `seq` begins in the log, and where its journal lines begin. */
function entryOffsets(wal: Buffer, runId: string, seq: number): { header: number; lines: number } {
  const header = wal.indexOf(`"r":"${runId}","s":${seq},`);
  expect(header).toBeGreaterThan(0);
  const start = wal.lastIndexOf('\n', header) + 1;
  return { header: start, lines: wal.indexOf('\n', header) + 1 };
}

/** Opens the store as the engine does (it replays the log first), collecting what it says. */
async function reopen(dir: string): Promise<{ store: ReturnType<typeof createFolderStore>; said: string[] }> {
  const said: string[] = [];
  const store = createFolderStore(dir, { wal: true, warn: (l) => said.push(l) });
  await store.opened();
  return { store, said };
}

describe('a damaged write-ahead log', () => {
  it('is replayed past corrupt bytes in its middle, kept as found, and reported with where and that nothing is missing', async () => {
    const { dir, wal } = await crashed([['a', 1, 2], ['b', 1, 2], ['c', 1, 3]]);
    // Bytes inside b's journal lines are overwritten; c's entry after them is intact.
    const at = entryOffsets(wal, 'b', 1).lines + 10;
    const damaged = Buffer.from(wal);
    damaged.fill(0x5a, at, at + 6);
    await fs.writeFile(walFile(dir), damaged);
    // A power loss took c's unsynced journal: only the log after the damage holds its records.
    await fs.rm(path.join(dir, 'c'), { recursive: true });

    const { store, said } = await reopen(dir);
    expect(await store.read('c')).toEqual({ records: recs(1, 3) });
    expect(await store.read('a')).toEqual({ records: recs(1, 2) });
    expect(await store.read('b')).toEqual({ records: recs(1, 2) });
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`the write-ahead log ${walFile(dir)} is damaged`);
    expect(said[0]).toMatch(new RegExp(`unreadable bytes at byte ${entryOffsets(wal, 'b', 1).header}, in the entry of run b records 1–2`));
    expect(said[0]).toContain('no record is missing and nothing needs doing');
    expect(said[0]).toContain(`kept in ${walFile(dir)}.damaged`);
    // The bytes as found are kept; the live log is emptied for new batches.
    expect(await fs.readFile(`${walFile(dir)}.damaged`)).toEqual(damaged);
    expect((await fs.stat(walFile(dir))).size).toBe(0);
    await store.append('c', recs(4, 4));
    await store.close();
  });

  it('quarantines alone a run whose records were lost in the damage, keeping the records after it, and the rest of the runs open', async () => {
    const { dir, wal } = await crashed([['a', 1, 1], ['b', 1, 1], ['b', 2, 3], ['a', 2, 2]]);
    const { header } = entryOffsets(wal, 'b', 1);
    const damaged = Buffer.from(wal);
    damaged.fill(0x20, header, header + 12);
    await fs.writeFile(walFile(dir), damaged);
    await fs.rm(path.join(dir, 'b'), { recursive: true });

    const { store, said } = await reopen(dir);
    expect(await store.read('a')).toEqual({ records: recs(1, 2) });
    // b's records 2–3 are in its journal after the hole: nothing the log held is lost, and the run is refused, not forked.
    await expect(store.read('b')).rejects.toThrow(JournalCorruptError);
    await expect(store.read('b')).rejects.toThrow(/seq 2 where 1 was expected \(gap\)/);
    expect(await fs.readFile(journalFile(dir, 'b'), 'utf8')).toContain('"seq":3');
    expect(said.join('\n')).toMatch(/records the log lost there are missing from run b \(records 1–1 of b\/journal\.jsonl\): each such run is quarantined alone/);
    expect(said.join('\n')).toContain('restore its journal from a backup');
    await store.close();
  });

  it('names a run whose journal stops short of a damaged entry', async () => {
    const { dir, wal } = await crashed([['a', 1, 1], ['b', 1, 2], ['a', 2, 2]]);
    const damaged = Buffer.from(wal);
    damaged.fill(0x5a, entryOffsets(wal, 'b', 1).lines, entryOffsets(wal, 'b', 1).lines + 4);
    await fs.writeFile(walFile(dir), damaged);
    await fs.writeFile(journalFile(dir, 'b'), '');

    const { store, said } = await reopen(dir);
    expect(said.join('\n')).toContain("run b's journal ends at record 0, before that entry's end: look at it with `teamstate show b`");
    expect(await store.read('a')).toEqual({ records: recs(1, 2) });
    await store.close();
  });

  it('says a log cut mid-record is a crash’s unacknowledged last batch, and every journal keeps its records', async () => {
    const { dir, wal } = await crashed([['a', 1, 2], ['b', 1, 2]]);
    const cut = entryOffsets(wal, 'b', 1).lines + 5;
    await fs.writeFile(walFile(dir), wal.subarray(0, cut));

    const { store, said } = await reopen(dir);
    expect(said).toEqual([
      `the write-ahead log ${walFile(dir)} ends in ${cut - entryOffsets(wal, 'b', 1).header} unreadable bytes at byte ${entryOffsets(wal, 'b', 1).header}, in the entry of run b records 1–2: the last batch, cut by a crash before it was acknowledged, so nothing is lost and nothing needs doing`,
    ]);
    expect(await store.read('a')).toEqual({ records: recs(1, 2) });
    expect(await store.read('b')).toEqual({ records: recs(1, 2) });
    // A crash's torn batch is no damage: nothing is kept aside.
    expect(await fs.readdir(dir)).not.toContain('.wal.jsonl.damaged');
    await store.close();
  });

  it('reads on from the next intact entry when a whole header is unreadable', async () => {
    const { dir, wal } = await crashed([['a', 1, 1], ['b', 1, 1], ['c', 1, 1]]);
    const { header, lines } = entryOffsets(wal, 'b', 1);
    const damaged = Buffer.from(wal);
    damaged.fill(0x00, header, lines - 1);
    await fs.writeFile(walFile(dir), damaged);
    const { entries, damage } = await readWal(walFile(dir));
    expect(entries.map((e) => e.runId)).toEqual(['a', 'c']);
    expect(damage).toEqual([{ offset: header, bytes: entryOffsets(wal, 'c', 1).header - header, intactAfter: true }]);
  });

  it('warns at start when it is missing although runs have records, and not in a fresh workspace', async () => {
    const { dir } = await crashed([['a', 1, 2]]);
    await fs.rm(walFile(dir));
    const { store, said } = await reopen(dir);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`the write-ahead log ${walFile(dir)} is missing although runs exist`);
    expect(said[0]).toContain('`teamstate runs`');
    expect(await store.read('a')).toEqual({ records: recs(1, 2) });
    await store.close();
    const fresh = await reopen(await tempDir());
    expect(fresh.said).toEqual([]);
    await fresh.store.close();
  });

  it('says once that it was deleted under a running store, starts a new one, and makes the journals durable', async () => {
    const dir = await tempDir();
    const said: string[] = [];
    const store = createFolderStore(dir, { wal: true, warn: (l) => said.push(l) });
    await store.append('a', recs(1, 1));
    const before = store.stats().fsyncs;
    await fs.rm(walFile(dir));
    await store.append('a', recs(2, 2));
    // The journal itself (whose last record only the deleted log held) and then the new log.
    expect(store.stats().fsyncs).toBe(before + 2);
    await store.append('a', recs(3, 3));
    expect(said).toEqual([`the write-ahead log ${walFile(dir)} was deleted or replaced under the engine: a new one is started, and the journals are made durable now, so nothing is lost`]);
    expect((await fs.stat(walFile(dir))).size).toBeGreaterThan(0);
    await store.close();
    expect(await createFolderStore(dir).read('a')).toEqual({ records: recs(1, 3) });
  });

  it('is not written through a symbolic link put in its place under a running store, and a new one is started once it is removed', async () => {
    const dir = await tempDir();
    const said: string[] = [];
    const store = createFolderStore(dir, { wal: true, warn: (l) => said.push(l) });
    await store.append('a', recs(1, 1));
    const outside = path.join(await makeTemp('teamstate-outside-'), 'elsewhere.jsonl');
    await fs.writeFile(outside, 'kept\n');
    await fs.rm(walFile(dir));
    await fs.symlink(outside, walFile(dir));
    await expect(store.append('a', recs(2, 2))).rejects.toThrow(
      `the write-ahead log ${walFile(dir)} was replaced by a symbolic link (to ${outside}); teamstate writes nothing through a link: remove it, and the engine starts a new log`,
    );
    expect(await fs.readFile(outside, 'utf8')).toBe('kept\n');
    await fs.rm(walFile(dir));
    await store.append('a', recs(2, 2));
    expect((await fs.lstat(walFile(dir))).isFile()).toBe(true);
    expect(said.filter((l) => l.includes('was deleted or replaced under the engine'))).toHaveLength(1);
    await store.close();
    expect(await createFolderStore(dir).read('a')).toEqual({ records: recs(1, 2) });
  });

  it('is refused at start when it is a symbolic link, naming it, and nothing is written through it', async () => {
    const { dir, wal } = await crashed([['a', 1, 1]]);
    const outside = path.join(await makeTemp('teamstate-outside-'), 'elsewhere.jsonl');
    await fs.writeFile(outside, wal);
    await fs.rm(walFile(dir));
    await fs.symlink(outside, walFile(dir));
    await expect(createFolderStore(dir, { wal: true }).opened()).rejects.toThrow(
      new RegExp(`the write-ahead log ${walFile(dir)} is a symbolic link \\(to ${outside}\\); teamstate writes nothing through a link: move it aside`),
    );
    expect(await fs.readFile(outside)).toEqual(wal);
  });
});
