import { UserError } from '../errors.js';
import type { AnyRecord, JournalRecord, LoadResult, ReadResult, RunStore } from './types.js';

interface MemoryRun {
  /** Records as JSON text: what a durable store gives back is a copy, never the caller's object. */
  records: string[];
  snapshot?: { seq: number; data: string; head?: string };
  finished: boolean;
}

/**
 * A {@link RunStore} in memory, for tests and as the second implementation the store
 * conformance suite runs against. Values go through JSON, as they would on disk.
 */
export function createMemoryStore<R extends JournalRecord = AnyRecord, S = unknown>(): RunStore<R, S> & { reopen(): RunStore<R, S> } {
  const runs = new Map<string, MemoryRun>();
  const make = (): RunStore<R, S> & { reopen(): RunStore<R, S> } => {
    let closed = false;
    const run = (runId: string): MemoryRun => {
      const r = runs.get(runId);
      if (!r) throw new UserError(`no run "${runId}" in the store; list runs with \`teamstate runs\``);
      return r;
    };
    const open = (): void => {
      if (closed) throw new Error('the run store is closed');
    };
    const loadSync = (runId: string): LoadResult<R, S> => {
      const r = run(runId);
      const snap = r.snapshot;
      const tail = r.records.slice(snap?.seq ?? 0).map((t) => JSON.parse(t) as R);
      return snap ? { snapshot: { seq: snap.seq, data: JSON.parse(snap.data) as S, ...(snap.head !== undefined ? { head: JSON.parse(snap.head) as unknown } : {}) }, tail } : { tail };
    };
    return {
      readOnly: false,
      async append(runId, records) {
        open();
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(runId) || runId.includes('..')) throw new UserError(`run id "${runId}" is not a plain name`);
        if (records.length === 0) return;
        const r = runs.get(runId) ?? { records: [], finished: false };
        const next = r.records.length + 1;
        records.forEach((rec, i) => {
          if (rec.seq !== next + i) throw new Error(`append to run "${runId}": records start at seq ${records[0]!.seq}, but the journal needs ${next} next`);
        });
        r.records.push(...records.map((rec) => JSON.stringify(rec)));
        runs.set(runId, r);
        await Promise.resolve();
      },
      async read(runId): Promise<ReadResult<R>> {
        await Promise.resolve();
        return { records: run(runId).records.map((t) => JSON.parse(t) as R) };
      },
      async writeSnapshot(runId, seq, data, head) {
        open();
        const r = run(runId);
        if (seq < 1 || seq > r.records.length) throw new Error(`snapshot of run "${runId}" at seq ${seq}: the journal has only ${r.records.length} records; journal first, then snapshot`);
        r.snapshot = { seq, data: JSON.stringify(data), ...(head !== undefined ? { head: JSON.stringify(head) } : {}) };
        await Promise.resolve();
      },
      loadSync,
      readableNow: () => true,
      async load(runId) {
        await Promise.resolve();
        return loadSync(runId);
      },
      async markFinished(runId) {
        open();
        run(runId).finished = true;
        await Promise.resolve();
      },
      async listRuns(opts = {}) {
        await Promise.resolve();
        return [...runs.entries()].filter(([, r]) => r.records.length > 0 && !(opts.unfinishedOnly && r.finished)).map(([id]) => id).sort();
      },
      async close() {
        closed = true;
        await Promise.resolve();
      },
      reopen: () => make(),
    };
  };
  return make();
}
