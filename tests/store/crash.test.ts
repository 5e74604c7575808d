import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFolderStore } from '../../src/store/folder-store.js';
import { tempDir } from './helpers.js';

describe('a process killed while appending', () => {
  it.each([
    ['per-journal fsync', false],
    ['WAL', true],
  ])('leaves every acknowledged record readable, at most a torn tail, and a journal that repairs and goes on (%s)', async (_mode, wal) => {
    const dir = await tempDir();
    const fixture = path.join(import.meta.dirname, 'fixtures', 'crash-child.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    const acked = new Map<string, number>();
    let lines = 0;
    let buffered = '';
    child.stdout.setEncoding('utf8');
    for await (const chunk of child.stdout) {
      buffered += chunk as string;
      const done = buffered.split('\n');
      buffered = done.pop() as string;
      for (const l of done) {
        const [run, seq] = l.split(' ');
        acked.set(run as string, Number(seq));
        lines++;
      }
      // Enough appends to have written big records and snapshots, then kill mid-stride.
      if (lines >= 40) break;
    }
    child.kill('SIGKILL');
    await (child.exitCode === null && child.signalCode === null ? once(child, 'exit') : undefined);

    const store = createFolderStore(dir, { wal });
    const runs = await store.listRuns({ unfinishedOnly: true });
    expect(runs).toEqual(['a', 'b', 'c', 'd']);
    for (const runId of runs) {
      const loaded = await store.load(runId);
      // In WAL mode the replay has already cut any torn tail and put its records back.
      if (wal) expect(loaded.note).toBeUndefined();
      const { records, note } = await store.read(runId);
      expect(note).toBeUndefined();
      const seqs = records.map((r) => r.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(records.length).toBeGreaterThanOrEqual(acked.get(runId) ?? 0);
      expect((loaded.snapshot?.seq ?? 0) + loaded.tail.length).toBe(records.length);
      await store.append(runId, [{ seq: records.length + 1, type: 'after-crash' }]);
      const after = await store.read(runId);
      expect(after.note).toBeUndefined();
      expect(after.records.at(-1)).toEqual({ seq: records.length + 1, type: 'after-crash' });
    }
    await store.close();
    await fs.rm(dir, { recursive: true, force: true });
  });
});
