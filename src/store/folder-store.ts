import { lstatSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { JournalCorruptError, JournalGoneError } from './errors.js';
import { rewriteInPlace } from '../workspace/atomic.js';
import { RUN_FILES, runFiles, segmentProblem } from '../workspace/paths.js';
import { encodeFrames, scanFrames } from './frame.js';
import { addFinished, readFinished } from './finished-index.js';
import { GroupCommit } from './group-commit.js';
import { checkSeqs, cutTail, isJournal, readRecordEndingAt, scanJournal } from './journal-file.js';
import { JournalWriter, type JournalWriterOptions } from './journal-writer.js';
import { Wal } from './wal.js';
import { recoverFromWal, warnIfWalMissing } from './wal-recovery.js';
import { encodeSnapshot, loadFromSnapshot, readSnapshot, type FastLoad } from './snapshot.js';
import type { AnyRecord, JournalRecord, LoadResult, ReadResult, RunStore, StoreStats } from './types.js';

const FINISHED_INDEX = '.finished';
const WAL_FILE = '.wal.jsonl';
/** Runs checked between two yields to the event loop when listing. */
const SCAN_CHUNK = 1000;

/** Options of {@link createFolderStore}. */
export interface FolderStoreOptions {
  /**
   * Read only: writes are refused, nothing is repaired (a torn tail is read around and
   * noted) and the write-ahead log is left to the engine. For the CLI and the UI, which
   * read beside a running engine: journals are append-only and snapshots replaced
   * atomically, so that is safe. @default false
   */
  readOnly?: boolean;
  /** fsync journals (and new folders) before an append resolves. @default true */
  fsync?: boolean;
  /** Journal handles kept open at most; older ones are closed. @default 256 */
  maxOpenFiles?: number;
  /** Makes a journal durable; a port for tests to observe or hold fsyncs. @default fh.sync() */
  syncFile?: JournalWriterOptions['syncFile'];
  /**
   * Make batches durable with one fsync of a shared write-ahead log (`runs/.wal.jsonl`)
   * instead of one fsync per run's journal; journals are fsynced at checkpoints. Only the
   * process holding the workspace lock may set it: its first operation replays the log
   * of a crashed predecessor into the journals.
   * @default false
   */
  wal?: boolean;
  /** WAL size that triggers a checkpoint. @default 16 MiB */
  walCheckpointBytes?: number;
  /** Where the store says what a person should know: a damaged or deleted write-ahead log. */
  warn?: (line: string) => void;
}

/** The folder store, plus counters for benchmarks and tests. */
export interface FolderStore<R extends JournalRecord = AnyRecord, S = unknown> extends RunStore<R, S> {
  /** Resolves once the store is ready: a crashed predecessor's write-ahead log replayed into the journals. */
  opened(): Promise<void>;
  stats(): StoreStats;
}

/**
 * A {@link RunStore} over `runsDir/<runId>/`: `journal.jsonl` (the truth: one checksummed
 * record a line) and `snapshot.json` (a cache of it, rewritten in place without fsync), with
 * `runsDir/.finished`, an index of the finished runs (older versions also left a `finished`
 * file in each finished run's folder; it is not read). Appends from all runs
 * go through one group commit; with `wal`, through one shared write-ahead log as well.
 */
export function createFolderStore<R extends JournalRecord = AnyRecord, S = unknown>(runsDir: string, opts: FolderStoreOptions = {}): FolderStore<R, S> {
  const readOnly = opts.readOnly ?? false;
  const fsync = opts.fsync ?? true;
  const maxOpenFiles = Math.max(1, opts.maxOpenFiles ?? 256);
  const dirOf = (runId: string): string => runFiles(runsDir, runId).dir;
  const wal = opts.wal && !readOnly ? new Wal(path.join(runsDir, WAL_FILE), fsync) : undefined;
  const writer = new JournalWriter({
    runsDir,
    journalOf: (runId) => runFiles(runsDir, runId),
    fsync,
    maxOpenFiles,
    ...(opts.syncFile ? { syncFile: opts.syncFile } : {}),
    ...(wal ? { wal } : {}),
    walCheckpointBytes: opts.walCheckpointBytes ?? 16 * 1024 * 1024,
    ...(opts.warn ? { warn: opts.warn } : {}),
  });
  const commits = new GroupCommit(writer.commitChunk, maxOpenFiles);
  let recovered: Promise<unknown> | undefined;
  /** Set once the replay succeeded: only then may close() checkpoint (which empties the WAL). */
  let replayed = false;
  /** With a WAL, every operation first waits for the replay of a predecessor's log. */
  const ready = (): Promise<unknown> =>
    (recovered ??= wal
      ? fs
          .mkdir(runsDir, { recursive: true })
          .then(() => warnIfWalMissing(wal.file, runsDir, opts.warn))
          .then(() => recoverFromWal(wal.file, runsDir, (id) => runFiles(runsDir, id), fsync, opts.warn))
          .then(() => {
            replayed = true;
          })
      : Promise.resolve());
  /** The last append of each run still in flight: reads of that run wait for it. */
  const inflight = new Map<string, Promise<unknown>>();
  let closed = false;

  const journalOf = (runId: string): string => runFiles(runsDir, runId).journal;
  const writable = (what: string): void => {
    if (readOnly) throw new Error(`the run store is open read-only: ${what} is refused`);
    if (closed) throw new Error('the run store is closed');
  };
  /** A torn last write: cut off and kept aside when writable (the crash's only trace), else read around. */
  const tornNote = async (runId: string, torn: { offset: number; bytes: number; reason: string }): Promise<string> => {
    const what = `the journal's last write was cut by a crash (${torn.reason}, ${torn.bytes} bytes at ${torn.offset})`;
    if (readOnly) return `${what}; read up to the record before it (the engine repairs it on start)`;
    await writer.files.forget(runId);
    await cutTail(journalOf(runId), torn.offset, fsync);
    return `${what}; kept aside in journal.torn.${torn.offset} and recovered from the record before it`;
  };
  /** Where record `seq` ends, for a snapshot of a seq older than the last few appends. */
  const findRecord = async (runId: string, seq: number): Promise<{ end: number; crc: string }> => {
    const scan = await scanJournal(journalOf(runId)).catch((e: unknown) => noRun(runId, e));
    const end = scan.ends[seq - 1];
    if (end === undefined) {
      throw new Error(`snapshot of run "${runId}" at seq ${seq}: the journal has only ${scan.records.length} records; journal first, then snapshot`);
    }
    const fh = await fs.open(journalOf(runId), 'r');
    try {
      const rec = await readRecordEndingAt(fh, end);
      if (!rec.ok) throw new Error(`journal ${journalOf(runId)} changed while a snapshot was being written`);
      return { end, crc: rec.crc };
    } finally {
      await fh.close();
    }
  };
  const settled = async (runId: string): Promise<void> => {
    await ready();
    await inflight.get(runId)?.catch(() => undefined);
  };
  const noRun = (runId: string, e: unknown): never => {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(`no run "${runId}": ${journalOf(runId)} does not exist; list runs with \`teamstate runs\``);
    }
    throw e;
  };

  /** No append of the run in flight, and its journal not behind the WAL: its file holds all of it. */
  const readableNow = (runId: string): boolean => (replayed || !wal) && !inflight.has(runId) && !writer.lags(runId);

  return {
    readOnly,
    opened: async () => {
      await ready();
    },
    async append(runId: string, records: R[]): Promise<void> {
      writable('append');
      dirOf(runId);
      if (records.length === 0) return;
      const first = records[0] as JournalRecord;
      checkSeqs(runId, records);
      const lines = encodeFrames(records);
      await ready();
      const done = commits.enqueue({
        runId,
        data: lines.bytes,
        firstSeq: first.seq,
        lastSeq: first.seq + records.length - 1,
        lastCrc: lines.crc,
        records: records.length,
      });
      inflight.set(runId, done);
      try {
        await done;
      } finally {
        if (inflight.get(runId) === done) inflight.delete(runId);
      }
    },

    async read(runId: string): Promise<ReadResult<R>> {
      await settled(runId);
      const scan = await scanJournal(journalOf(runId)).catch((e: unknown) => noRun(runId, e));
      const records = scan.records as R[];
      return scan.torn ? { records, note: await tornNote(runId, scan.torn) } : { records };
    },

    async writeSnapshot(runId: string, seq: number, data: S, head?: unknown): Promise<void> {
      writable('writeSnapshot');
      await settled(runId);
      // Its last records are only in the WAL until the journal is mended: no cache of them yet.
      if (writer.lags(runId)) return;
      const at = writer.files.endOf(runId, seq) ?? (await findRecord(runId, seq));
      // Rewritten in place, without fsync: the snapshot is a checksummed cache; one a crash
      // (or a reader's timing) finds empty or half written is not trusted, and load() reads the journal.
      await rewriteInPlace(runFiles(runsDir, runId).snapshot, encodeSnapshot({ seq, journalBytes: at.end, crc: at.crc, data, ...(head !== undefined ? { head } : {}) }));
    },

    async load(runId: string): Promise<LoadResult<R, S>> {
      await settled(runId);
      // Its data is read only if the caller asks for it: recovery leaves a waiting run on disk unread.
      const snap = readSnapshot(runFiles(runsDir, runId).snapshot, !readOnly);
      if (snap) {
        let fast: FastLoad | undefined;
        try {
          fast = loadFromSnapshot(journalOf(runId), snap);
        } catch (e) {
          noRun(runId, e);
        }
        if (fast) {
          // The snapshot as read (its data parsed only when first asked for, when writable): not an
          // object with a getter of its own per load, which cost start about 1 KB a run.
          const snapshot = readOnly ? { seq: snap.seq, data: snap.data as S, ...(snap.head !== undefined ? { head: snap.head } : {}) } : (snap as { seq: number; data: S; head?: unknown });
          if (!fast.torn) {
            if (!readOnly) writer.files.prime(runId, fast.lastSeq, fast.validBytes, fast.lastCrc);
            return { snapshot, tail: fast.tail as R[] };
          }
          return { snapshot, tail: fast.tail as R[], note: await tornNote(runId, fast.torn) };
        }
      }
      // A run never journaled (what a new task's first message asks about) is said so at once, not after a round trip through the pool.
      if (!lstatSync(journalOf(runId), { throwIfNoEntry: false })) noRun(runId, Object.assign(new Error(`${journalOf(runId)}: no such file`), { code: 'ENOENT' }));
      const scan = await scanJournal(journalOf(runId)).catch((e: unknown) => noRun(runId, e));
      if (!scan.torn) {
        if (!readOnly) writer.files.prime(runId, scan.records.length, scan.ends.at(-1) ?? 0, scan.lastCrc ?? '', true);
        return { tail: scan.records as R[] };
      }
      return { tail: scan.records as R[], note: await tornNote(runId, scan.torn) };
    },

    readableNow,

    loadSync(runId: string): LoadResult<R, S> | undefined {
      if (!readableNow(runId)) return undefined;
      const file = journalOf(runId);
      const gone = (e: unknown): never => {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new JournalGoneError(file, 'was deleted');
        throw e;
      };
      const snap = readSnapshot(runFiles(runsDir, runId).snapshot, false);
      if (snap) {
        let fast: FastLoad | undefined;
        try {
          fast = loadFromSnapshot(file, snap);
        } catch (e) {
          gone(e);
        }
        if (fast?.torn) return undefined;
        if (fast) return { snapshot: { seq: snap.seq, data: snap.data as S, ...(snap.head !== undefined ? { head: snap.head } : {}) }, tail: fast.tail as R[] };
      }
      let buf: Buffer;
      try {
        buf = readFileSync(file);
      } catch (e) {
        return gone(e);
      }
      const scan = scanFrames(buf);
      if (scan.corrupt) throw new JournalCorruptError(file, scan.corrupt.line, scan.corrupt.offset, scan.corrupt.reason);
      return scan.torn ? undefined : { tail: scan.records as R[] };
    },

    async markFinished(runId: string): Promise<void> {
      writable('markFinished');
      await settled(runId);
      await writer.files.forget(runId);
      // The index is a cache of the journal, so it is not fsynced: a line lost to a power cut
      // only makes the run look unfinished until its journal is read, as a crash before this
      // line does. (No marker file in the run's folder: making a file is the dearest call here.)
      await addFinished(path.join(runsDir, FINISHED_INDEX), runId, false);
    },

    async listRuns(listOpts: { unfinishedOnly?: boolean } = {}): Promise<string[]> {
      await ready();
      // Names only (10,000 typed entries were kept through the stats below): the journal's stat tells a run folder.
      let names: string[];
      try {
        names = await fs.readdir(runsDir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
      const finished = listOpts.unfinishedOnly ? await readFinished(path.join(runsDir, FINISHED_INDEX)) : new Set<string>();
      const ids = names.filter((name) => segmentProblem(name) === undefined && !finished.has(name));
      // A folder without a journal is an artifact folder or a run that never got its first record.
      const out: string[] = [];
      for (let i = 0; i < ids.length; i += SCAN_CHUNK) {
        for (const id of ids.slice(i, i + SCAN_CHUNK)) if (isJournal(path.join(runsDir, id, RUN_FILES.journal))) out.push(id);
        // One stat is a few microseconds: sync is 3x faster than promises; yield now and then.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return out.sort();
    },

    async close(): Promise<void> {
      closed = true;
      await commits.drain();
      // A clean stop leaves every journal durable by itself and the WAL empty.
      if (replayed) await writer.checkpoint();
      await writer.files.closeAll();
      await wal?.close();
    },

    releaseHandles: () => writer.files.release(),
    prepare(runId) {
      if (!readOnly) writer.files.warm(runId);
    },

    stats: () => ({ ...writer.stats, batches: commits.batches }),
  };
}
