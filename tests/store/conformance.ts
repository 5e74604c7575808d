import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import type { AnyRecord, RunStore } from '../../src/store/types.js';
import { plainLoad, recs } from './helpers.js';

/** A store under test, and how to open it again over the same data (a restart). */
export interface Subject {
  store: RunStore;
  reopen(): RunStore;
  /** Removes what the subject made (temp folders). */
  dispose(): Promise<void>;
}

/**
 * The run store's contract, as one suite every store implementation runs (the way
 * LangGraph's checkpoint validation runs one suite against every checkpointer). A new
 * store (PostgreSQL, say) passes this before the engine may use it.
 */
export function describeRunStore(name: string, make: () => Promise<Subject>): void {
  const withStore = (test: (s: Subject) => Promise<void>) => async () => {
    const s = await make();
    try {
      await test(s);
    } finally {
      await s.store.close().catch(() => undefined);
      await s.dispose();
    }
  };

  describe(`the run store contract: ${name}`, () => {
    it(
      'gives back what was appended, in order, across a reopen',
      withStore(async ({ store, reopen }) => {
        await store.append('run-1', recs(1, 3, { text: 'héllo ✓ "quoted"\nnewline' }));
        await store.append('run-1', recs(4, 4));
        await store.close();
        const again = reopen();
        try {
          const { records } = await again.read('run-1');
          expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
          expect(records[0]).toEqual({ seq: 1, type: 'event', n: 10, text: 'héllo ✓ "quoted"\nnewline' });
          await again.append('run-1', recs(5, 5));
          expect((await again.read('run-1')).records).toHaveLength(5);
        } finally {
          await again.close();
        }
      }),
    );

    it(
      'refuses records that do not continue the run, and keeps the journal as it was',
      withStore(async ({ store }) => {
        await expect(store.append('r', recs(2, 2))).rejects.toThrow(/seq/);
        await store.append('r', recs(1, 2));
        await expect(store.append('r', recs(2, 3))).rejects.toThrow(/seq/);
        await expect(store.append('r', recs(4, 4))).rejects.toThrow(/seq/);
        expect((await store.read('r')).records.map((r) => r.seq)).toEqual([1, 2]);
      }),
    );

    it(
      'keeps what it was given, not the caller’s objects',
      withStore(async ({ store }) => {
        const records = recs(1, 1, { list: [1, 2] }) as (AnyRecord & { list: number[] })[];
        await store.append('r', records);
        records[0]!.list.push(3);
        expect((await store.read('r')).records[0]).toEqual({ seq: 1, type: 'event', n: 10, list: [1, 2] });
      }),
    );

    it(
      'loads a run from its snapshot and only the records after it',
      withStore(async ({ store, reopen }) => {
        await store.append('r', recs(1, 3));
        expect(await store.load('r')).toEqual({ tail: recs(1, 3) });
        await store.writeSnapshot('r', 2, { at: 'two' });
        await store.append('r', recs(4, 5));
        const loaded = await store.load('r');
        expect(loaded.snapshot).toMatchObject({ seq: 2, data: { at: 'two' } });
        // A store that reads synchronously too gives exactly what load() gives.
        if (store.loadSync) expect(store.loadSync('r')).toEqual(plainLoad(loaded));
        expect(loaded.tail.map((r) => r.seq)).toEqual([3, 4, 5]);
        await store.close();
        const again = reopen();
        try {
          expect((await again.load('r')).snapshot?.seq).toBe(2);
          await again.writeSnapshot('r', 5, { at: 'five' });
          expect(await again.load('r')).toMatchObject({ snapshot: { seq: 5, data: { at: 'five' } }, tail: [] });
        } finally {
          await again.close();
        }
      }),
    );

    it(
      'reads a run synchronously as load() does, with or without a snapshot, once its appends are done',
      withStore(async ({ store }) => {
        if (!store.loadSync) return;
        await store.append('a', recs(1, 3));
        if (store.readableNow) expect(store.readableNow('a')).toBe(true);
        expect(store.loadSync('a')).toEqual(await store.load('a'));
        expect(store.loadSync('a')).toEqual({ tail: recs(1, 3) });
        await store.writeSnapshot('a', 3, { at: 'three' }, { small: true });
        expect(store.loadSync('a')).toEqual({ snapshot: { seq: 3, data: { at: 'three' }, head: { small: true } }, tail: [] });
        await store.append('a', recs(4, 4));
        expect(store.loadSync('a')).toMatchObject({ snapshot: { seq: 3 }, tail: recs(4, 4) });
        expect(() => store.loadSync!('missing')).toThrow();
      }),
    );

    it(
      'refuses a snapshot of a record not yet journaled',
      withStore(async ({ store }) => {
        await store.append('r', recs(1, 2));
        await expect(store.writeSnapshot('r', 3, {})).rejects.toThrow(/journal first/);
      }),
    );

    it(
      'lists runs sorted, and the unfinished ones without those marked finished',
      withStore(async ({ store, reopen }) => {
        for (const id of ['c', 'a', 'b']) await store.append(id, recs(1, 1));
        await store.markFinished('b');
        expect(await store.listRuns()).toEqual(['a', 'b', 'c']);
        expect(await store.listRuns({ unfinishedOnly: true })).toEqual(['a', 'c']);
        await store.close();
        const again = reopen();
        try {
          expect(await again.listRuns({ unfinishedOnly: true })).toEqual(['a', 'c']);
          expect((await again.read('b')).records).toHaveLength(1);
        } finally {
          await again.close();
        }
      }),
    );

    it(
      'says there is no such run with a UserError, and refuses ids that are not plain names',
      withStore(async ({ store }) => {
        expect(await store.listRuns()).toEqual([]);
        await expect(store.read('nope')).rejects.toBeInstanceOf(UserError);
        await expect(store.load('nope')).rejects.toBeInstanceOf(UserError);
        await expect(store.append('../out', recs(1, 1))).rejects.toBeInstanceOf(UserError);
        await expect(store.append('a/b', recs(1, 1))).rejects.toBeInstanceOf(UserError);
      }),
    );

    it(
      'takes appends to many runs at once, each in its order',
      withStore(async ({ store, reopen }) => {
        const ids = Array.from({ length: 40 }, (_, i) => `run-${i}`);
        await Promise.all(ids.map(async (id) => {
          for (let seq = 1; seq <= 5; seq++) await store.append(id, recs(seq, seq, { id }));
        }));
        await store.close();
        const again = reopen();
        try {
          for (const id of ids) expect((await again.read(id)).records.map((r) => [r.seq, r.id])).toEqual([1, 2, 3, 4, 5].map((s) => [s, id]));
        } finally {
          await again.close();
        }
      }),
    );

    it(
      'refuses appends once closed',
      withStore(async ({ store }) => {
        await store.append('r', recs(1, 1));
        await store.close();
        await expect(store.append('r', recs(2, 2))).rejects.toThrow(/closed/);
      }),
    );
  });
}
