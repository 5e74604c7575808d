import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JournalCorruptError } from '../../src/store/errors.js';
import { createFolderStore } from '../../src/store/folder-store.js';
import { journalFile, recs, tempDir } from './helpers.js';

const walFile = (dir: string): string => path.join(dir, '.wal.jsonl');

/**
 * A store that crashed with acknowledged appends in its WAL: the WAL is copied aside while
 * they are in it, the store is closed (which would empty it), and the copy is put back.
 */
async function crashedWithWal(appendAll: (s: ReturnType<typeof createFolderStore>) => Promise<void>): Promise<string> {
  const dir = await tempDir();
  const store = createFolderStore(dir, { wal: true });
  await appendAll(store);
  const wal = await fs.readFile(walFile(dir));
  await store.close();
  await fs.writeFile(walFile(dir), wal);
  return dir;
}

describe('the write-ahead log mode', () => {
  it('makes a batch over 200 runs durable with one fsync', async () => {
    const dir = await tempDir();
    const store = createFolderStore(dir, { wal: true });
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.append(`r${i}`, recs(1, 2))));
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.append(`r${i}`, recs(3, 3))));
    expect(store.stats()).toMatchObject({ appends: 400, fsyncs: store.stats().batches });
    expect((await fs.stat(walFile(dir))).size).toBeGreaterThan(0);
    await store.close();
    expect((await fs.stat(walFile(dir))).size).toBe(0);
    const fresh = createFolderStore(dir);
    for (let i = 0; i < 200; i++) expect((await fresh.read(`r${i}`)).records.map((r) => r.seq)).toEqual([1, 2, 3]);
  });

  it('checkpoints when the log grows past its limit: fsyncs the journals and empties the log', async () => {
    const dir = await tempDir();
    const store = createFolderStore(dir, { wal: true, walCheckpointBytes: 1 });
    await Promise.all(['a', 'b', 'c'].map((id) => store.append(id, recs(1, 1))));
    expect((await fs.stat(walFile(dir))).size).toBe(0);
    expect(store.stats().fsyncs).toBe(1 + 3);
    expect(store.stats().dirFsyncs).toBe(4);
    await store.close();
  });

  it('puts back the records a crash kept out of the journals, cutting a torn tail first', async () => {
    const dir = await crashedWithWal(async (s) => {
      await s.append('lost', recs(1, 2));
      await s.append('torn', recs(1, 3));
      await s.append('whole', recs(1, 1));
    });
    // The crash lost the unsynced journal data: one journal gone, one cut mid-record.
    await fs.rm(path.join(dir, 'lost'), { recursive: true });
    const torn = await fs.readFile(journalFile(dir, 'torn'));
    const cutAt = torn.indexOf('\n') + 1 + 7;
    await fs.writeFile(journalFile(dir, 'torn'), torn.subarray(0, cutAt));

    const store = createFolderStore(dir, { wal: true });
    expect(await store.listRuns()).toEqual(['lost', 'torn', 'whole']);
    expect((await fs.stat(walFile(dir))).size).toBe(0);
    expect(await store.read('lost')).toEqual({ records: recs(1, 2) });
    expect(await store.read('torn')).toEqual({ records: recs(1, 3) });
    expect(await store.read('whole')).toEqual({ records: recs(1, 1) });
    const pieces = (await fs.readdir(path.join(dir, 'torn'))).filter((n) => n.startsWith('journal.torn.'));
    expect(pieces).toHaveLength(1);
    await store.append('torn', recs(4, 4));
    await store.close();
  });

  it('refuses alone, and reports, a run whose journal lost records the log does not hold, keeping the log as found', async () => {
    const dir = await crashedWithWal(async (s) => {
      await s.append('r', recs(1, 1));
      await s.append('other', recs(1, 1));
    });
    // Record 1 was checkpointed long ago (not in this log); record 2 is in the log.
    const store = createFolderStore(dir, { wal: true });
    await store.append('r', recs(2, 2));
    await store.append('other', recs(2, 2));
    const wal = await fs.readFile(walFile(dir));
    await store.close();
    await fs.writeFile(walFile(dir), wal);
    await fs.writeFile(journalFile(dir, 'r'), '');
    const said: string[] = [];
    const reopened = createFolderStore(dir, { wal: true, warn: (l) => said.push(l) });
    expect(await reopened.listRuns()).toEqual(['other', 'r']);
    expect(await reopened.read('other')).toEqual({ records: recs(1, 2) });
    // Record 2 is kept in the journal after the hole, which makes the run refused rather than forked.
    await expect(reopened.read('r')).rejects.toThrow(JournalCorruptError);
    expect(said).toEqual([expect.stringMatching(/^run r: its journal lacks records 1–1 of r\/journal\.jsonl, which the write-ahead log .* does not hold .* the run is quarantined alone; the log as found is kept in .*\.wal\.jsonl\.damaged\. Restore the journal from a backup/)]);
    expect(await fs.readFile(`${walFile(dir)}.damaged`)).toEqual(wal);
    await reopened.close();
  });

  it('ignores a torn end of the log: that batch was never acknowledged', async () => {
    const dir = await crashedWithWal(async (s) => {
      await s.append('r', recs(1, 1));
    });
    await fs.appendFile(walFile(dir), '{"c":"0000');
    const store = createFolderStore(dir, { wal: true });
    expect(await store.read('r')).toEqual({ records: recs(1, 1) });
    await store.close();
  });
});
