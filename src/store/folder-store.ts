import { promises as fs, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../workspace/atomic.js';
import { segmentProblem } from '../workspace/paths.js';
import { encodeFrame, frameCrc } from './frame.js';
import { addFinished, readFinished } from './finished-index.js';
import { GroupCommit } from './group-commit.js';
import { cutTail, readRecordEndingAt, scanJournal } from './journal-file.js';
import { JournalWriter, type JournalWriterOptions } from './journal-writer.js';
import { Wal } from './wal.js';
import { recoverFromWal } from './wal-recovery.js';
import { encodeSnapshot, loadFromSnapshot, readSnapshot, type FastLoad } from './snapshot.js';
import type { JournalRecord, LoadResult, ReadResult, RunStore, StoreStats } from './types.js';

const JOURNAL = 'journal.jsonl';
const SNAPSHOT = 'snapshot.json';
const FINISHED = 'finished';
const FINISHED_INDEX = '.finished';
const WAL_FILE = '.wal.jsonl';
/** Runs checked between two yields to the event loop when listing. */
const SCAN_CHUNK = 1000;

/** Options of {@link createFolderStore}. */
export interface FolderStoreOptions {
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
}

/** The folder store, plus counters for benchmarks and tests. */
export interface FolderStore extends RunStore {
  stats(): StoreStats;
}

/**
 * A {@link RunStore} over `runsDir/<runId>/`: `journal.jsonl` (the truth: one checksummed
 * record a line), `snapshot.json` (a cache of it, written atomically without fsync) and
 * a `finished` marker (plus `runsDir/.finished`, an index of them). Appends from all runs
 * go through one group commit; with `wal`, through one shared write-ahead log as well.
 */
export function createFolderStore(runsDir: string, opts: FolderStoreOptions = {}): FolderStore {
  const fsync = opts.fsync ?? true;
  const maxOpenFiles = Math.max(1, opts.maxOpenFiles ?? 256);
  const dirOf = (runId: string): string => {
    const problem = segmentProblem(runId);
    if (problem) throw new UserError(`run id ${problem}`);
    return path.join(runsDir, runId);
  };
  const wal = opts.wal ? new Wal(path.join(runsDir, WAL_FILE), fsync) : undefined;
  const writer = new JournalWriter({
    runsDir,
    journalOf: (runId) => ({ dir: dirOf(runId), journal: path.join(dirOf(runId), JOURNAL) }),
    fsync,
    maxOpenFiles,
    ...(opts.syncFile ? { syncFile: opts.syncFile } : {}),
    ...(wal ? { wal } : {}),
    walCheckpointBytes: opts.walCheckpointBytes ?? 16 * 1024 * 1024,
  });
  const commits = new GroupCommit(writer.commitChunk, maxOpenFiles);
  let recovered: Promise<unknown> | undefined;
  /** Set once the replay succeeded: only then may close() checkpoint (which empties the WAL). */
  let replayed = false;
  /** With a WAL, every operation first waits for the replay of a predecessor's log. */
  const ready = (): Promise<unknown> =>
    (recovered ??= wal
      ? fs.mkdir(runsDir, { recursive: true }).then(() => recoverFromWal(wal.file, runsDir, (id) => ({ dir: dirOf(id), journal: journalOf(id) }), fsync)).then(() => {
          replayed = true;
        })
      : Promise.resolve());
  /** The last append of each run still in flight: reads of that run wait for it. */
  const inflight = new Map<string, Promise<unknown>>();
  let closed = false;

  const journalOf = (runId: string): string => path.join(dirOf(runId), JOURNAL);
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

  return {
    async append(runId: string, records: JournalRecord[]): Promise<void> {
      if (closed) throw new Error('the run store is closed');
      dirOf(runId);
      if (records.length === 0) return;
      const first = records[0] as JournalRecord;
      records.forEach((r, i) => {
        if (!Number.isInteger(r.seq) || r.seq !== first.seq + i || r.seq < 1) {
          throw new Error(`append to run "${runId}": seq must be consecutive positive integers, got ${records.map((x) => x.seq).join(',')}`);
        }
      });
      const lines = records.map((r) => encodeFrame(r));
      await ready();
      const done = commits.enqueue({
        runId,
        data: Buffer.from(lines.join('')),
        firstSeq: first.seq,
        lastSeq: first.seq + records.length - 1,
        lastCrc: frameCrc(lines.at(-1) as string),
        records: records.length,
      });
      inflight.set(runId, done);
      try {
        await done;
      } finally {
        if (inflight.get(runId) === done) inflight.delete(runId);
      }
    },

    async read(runId: string): Promise<ReadResult> {
      await settled(runId);
      const scan = await scanJournal(journalOf(runId)).catch((e: unknown) => noRun(runId, e));
      return scan.torn ? { records: scan.records, torn: scan.torn } : { records: scan.records };
    },

    async repairTail(runId: string): Promise<void> {
      await settled(runId);
      await writer.files.forget(runId);
      const file = journalOf(runId);
      const scan = await scanJournal(file).catch((e: unknown) => noRun(runId, e));
      if (!scan.torn) return;
      await cutTail(file, scan.torn.offset, fsync);
    },

    async writeSnapshot(runId: string, seq: number, data: unknown): Promise<void> {
      await settled(runId);
      const at = writer.files.endOf(runId, seq) ?? (await findRecord(runId, seq));
      // No fsync: the snapshot is a checksummed cache; if a crash loses it, load() reads the journal.
      await writeFileAtomic(path.join(dirOf(runId), SNAPSHOT), encodeSnapshot({ seq, journalBytes: at.end, crc: at.crc, data }), {
        fsync: false,
      });
    },

    async load(runId: string): Promise<LoadResult> {
      await settled(runId);
      const snap = readSnapshot(path.join(dirOf(runId), SNAPSHOT));
      if (snap) {
        let fast: FastLoad | undefined;
        try {
          fast = loadFromSnapshot(journalOf(runId), snap);
        } catch (e) {
          noRun(runId, e);
        }
        if (fast) {
          if (!fast.torn) writer.files.prime(runId, fast.lastSeq, fast.validBytes, fast.lastCrc);
          const { lastSeq: _l, validBytes: _v, lastCrc: _c, ...result } = fast;
          return result;
        }
      }
      const scan = await scanJournal(journalOf(runId)).catch((e: unknown) => noRun(runId, e));
      if (!scan.torn) writer.files.prime(runId, scan.records.length, scan.ends.at(-1) ?? 0, scan.lastCrc ?? '');
      return scan.torn ? { tail: scan.records, torn: scan.torn } : { tail: scan.records };
    },

    async markFinished(runId: string): Promise<void> {
      await settled(runId);
      await writer.files.forget(runId);
      // The marker is for people browsing the folder; listRuns reads the index.
      await writeFileAtomic(path.join(dirOf(runId), FINISHED), '', { fsync });
      await addFinished(path.join(runsDir, FINISHED_INDEX), runId, fsync);
    },

    async listRuns(listOpts: { unfinishedOnly?: boolean } = {}): Promise<string[]> {
      await ready();
      let entries: Dirent[];
      try {
        entries = await fs.readdir(runsDir, { withFileTypes: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
      const finished = listOpts.unfinishedOnly ? await readFinished(path.join(runsDir, FINISHED_INDEX)) : new Set<string>();
      const ids = entries.filter((d) => d.isDirectory() && segmentProblem(d.name) === undefined && !finished.has(d.name)).map((d) => d.name);
      // A folder without a journal is an artifact folder or a run that never got its first record.
      const out: string[] = [];
      for (let i = 0; i < ids.length; i += SCAN_CHUNK) {
        for (const id of ids.slice(i, i + SCAN_CHUNK)) if (statSync(path.join(runsDir, id, JOURNAL), { throwIfNoEntry: false })?.isFile()) out.push(id);
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

    stats: () => ({ ...writer.stats, batches: commits.batches }),
  };
}

