import { promises as fs } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createFolderStore } from '../../src/store/folder-store.js';
import { scanFrames } from '../../src/store/frame.js';
import { journalFile, recs, tempDir } from './helpers.js';

/** Resolves once `cond` holds, checking on each turn of the event loop (no clock involved). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

describe('group commit', () => {
  it('fsyncs the appends issued during an fsync together in the next batch, resolving each only after its fsync', async () => {
    const dir = await tempDir();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let holding = false;
    const syncedBytes = new Map<string, number>();
    const store = createFolderStore(dir, {
      syncFile: async (fh, runId) => {
        if (!holding) {
          holding = true;
          await gate;
        }
        const size = (await fh.stat()).size;
        await fh.sync();
        syncedBytes.set(runId, size);
      },
    });
    /** For each resolved append: its run, last seq and how many bytes of the run were fsynced then. */
    const seen: { runId: string; seq: number; synced: number }[] = [];
    const append = (runId: string, seq: number): Promise<void> =>
      store.append(runId, recs(seq, seq)).then(() => {
        seen.push({ runId, seq, synced: syncedBytes.get(runId) ?? 0 });
      });

    const all = [append('run-0', 1)];
    await until(() => holding);
    for (let i = 1; i < 200; i++) for (let seq = 1; seq <= 3; seq++) all.push(append(`run-${i}`, seq));
    expect(seen).toEqual([]);
    release();
    await Promise.all(all);

    const stats = store.stats();
    expect(stats.appends).toBe(1 + 199 * 3);
    expect(stats.batches).toBe(2);
    expect(stats.fsyncs).toBe(200);
    for (const { runId, seq, synced } of seen) {
      const ends = scanFrames(await fs.readFile(journalFile(dir, runId))).ends;
      expect(synced, `${runId} seq ${seq}`).toBeGreaterThanOrEqual(ends[seq - 1] as number);
    }
    const fresh = createFolderStore(dir);
    expect(await fresh.listRuns({ unfinishedOnly: true })).toHaveLength(200);
    expect((await fresh.read('run-199')).records.map((r) => r.seq)).toEqual([1, 2, 3]);
    await store.close();
  });

  it('lands every append of 200 concurrent runs in fewer batches and fsyncs than appends', async () => {
    const dir = await tempDir();
    const store = createFolderStore(dir);
    const runs = Array.from({ length: 200 }, (_, i) => `r${i}`);
    await Promise.all(
      runs.map(async (id) => {
        for (let seq = 1; seq <= 5; seq++) await store.append(id, recs(seq, seq));
      }),
    );
    const stats = store.stats();
    expect(stats.appends).toBe(1000);
    expect(stats.batches).toBeLessThan(1000);
    expect(stats.fsyncs).toBeLessThanOrEqual(1000);
    await store.close();
    const fresh = createFolderStore(dir);
    for (const id of runs) expect((await fresh.read(id)).records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps at most maxOpenFiles journals open while many runs append', async () => {
    const dir = await tempDir();
    const store = createFolderStore(dir, { maxOpenFiles: 3 });
    const runs = Array.from({ length: 20 }, (_, i) => `r${i}`);
    let maxOpen = 0;
    const countOpen = async (): Promise<number> => {
      const fds = await fs.readdir('/proc/self/fd');
      const targets = await Promise.all(fds.map((fd) => fs.readlink(`/proc/self/fd/${fd}`).catch(() => '')));
      return targets.filter((t) => t.startsWith(dir) && t.endsWith('journal.jsonl')).length;
    };
    for (let seq = 1; seq <= 4; seq++) {
      await Promise.all(runs.map((id) => store.append(id, recs(seq, seq))));
      if (process.platform === 'linux') maxOpen = Math.max(maxOpen, await countOpen());
    }
    if (process.platform === 'linux') expect(maxOpen).toBeLessThanOrEqual(3);
    for (const id of runs) expect((await store.read(id)).records).toHaveLength(4);
    await store.close();
  });

  it('fails only the append whose fsync failed, cuts its bytes back, and lets the run go on', async () => {
    const dir = await tempDir();
    let failNext = false;
    const store = createFolderStore(dir, {
      syncFile: async (fh, runId) => {
        if (runId === 'bad' && failNext) {
          failNext = false;
          throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
        }
        await fh.sync();
      },
    });
    await Promise.all([store.append('bad', recs(1, 1)), store.append('good', recs(1, 1))]);
    failNext = true;
    const [bad, good] = await Promise.allSettled([store.append('bad', recs(2, 2)), store.append('good', recs(2, 2))]);
    expect(bad.status).toBe('rejected');
    expect(good.status).toBe('fulfilled');
    expect((await store.read('bad')).records.map((r) => r.seq)).toEqual([1]);
    await store.append('bad', recs(2, 3));
    expect((await store.read('bad')).records.map((r) => r.seq)).toEqual([1, 2, 3]);
    await store.close();
  });

  it('refuses appends after close but finishes those already issued', async () => {
    const dir = await tempDir();
    const store = createFolderStore(dir);
    const pending = store.append('r', recs(1, 1));
    await store.close();
    await pending;
    await expect(store.append('r', recs(2, 2))).rejects.toThrow(/closed/);
    expect((await createFolderStore(dir).read('r')).records).toHaveLength(1);
  });
});
