import { promises as fs } from 'node:fs';
import { fsyncDir } from '../workspace/atomic.js';
import { TornTailError } from './errors.js';
import type { CommitChunk, PendingAppend } from './group-commit.js';
import { readRecordEndingAt, writeAll } from './journal-file.js';
import { mapLimit } from './map-limit.js';
import type { StoreStats } from './types.js';
import type { Wal } from './wal.js';

/** What the writer remembers of a run: a few numbers, plus a file handle while it is active. */
interface RunState {
  lastSeq: number;
  /** Length of the journal's durable, valid prefix. */
  size: number;
  /** Where the last few appends end, so a snapshot finds its offset without a read. */
  ends: RecordEnd[];
  fh?: fs.FileHandle;
  /** The journal was empty when opened: its folder entries still need an fsync. */
  newRun: boolean;
}

/** Where record `seq` ends in its journal, and its checksum. */
export interface RecordEnd {
  seq: number;
  end: number;
  crc: string;
}

const ENDS_KEPT = 8;

/** A run's share of a chunk after its seqs were checked. */
interface Prepared {
  runId: string;
  st?: RunState;
  results: (Error | undefined)[];
  accepted: PendingAppend[];
}

/** Options of {@link JournalWriter}. */
export interface JournalWriterOptions {
  runsDir: string;
  journalOf(runId: string): { dir: string; journal: string };
  fsync: boolean;
  maxOpenFiles: number;
  /** Makes a journal durable; a port so tests can observe and hold fsyncs. @default fh.sync() */
  syncFile?: (fh: fs.FileHandle, runId: string) => Promise<void>;
  /** When set, batches are made durable by one fsync of this log instead of one per journal. */
  wal?: Wal;
  /** WAL size that triggers a checkpoint. */
  walCheckpointBytes: number;
}

/**
 * Appends to journals for the group commit: keeps handles open for active runs only (an
 * LRU bounded by maxOpenFiles), checks each run's seq continues, and on a failed write
 * cuts the file back and forgets the run so the next append re-reads its tail.
 */
export class JournalWriter {
  private readonly states = new Map<string, RunState>();
  /** Open handles, least recently used first. */
  private readonly open = new Map<string, fs.FileHandle>();
  /** Runs being committed: their handles must not be evicted. */
  private readonly pinned = new Set<string>();
  /** Handles being opened: they count against maxOpenFiles before they are in `open`. */
  private opening = 0;
  /** With a WAL: runs whose journals were written since the last checkpoint, and new runs' folders. */
  private readonly dirty = new Set<string>();
  private readonly newDirs = new Set<string>();
  readonly stats: Omit<StoreStats, 'batches'> = { appends: 0, records: 0, bytes: 0, fsyncs: 0, dirFsyncs: 0 };

  constructor(private readonly opts: JournalWriterOptions) {}

  /** The durable seq of a run this writer knows, else undefined. */
  lastSeq(runId: string): number | undefined {
    return this.states.get(runId)?.lastSeq;
  }

  /** Where record `seq` ends if it is among the last few written or loaded. */
  endOf(runId: string, seq: number): RecordEnd | undefined {
    return this.states.get(runId)?.ends.find((e) => e.seq === seq);
  }

  /** Remembers a run's end learned by a load, sparing the next append a tail read. */
  prime(runId: string, lastSeq: number, size: number, crc: string): void {
    if (this.states.has(runId)) return;
    this.states.set(runId, { lastSeq, size, ends: size > 0 ? [{ seq: lastSeq, end: size, crc }] : [], newRun: false });
  }

  /** Closes a run's handle and drops what is known of it (before a repair or when it is done). */
  async forget(runId: string): Promise<void> {
    const st = this.states.get(runId);
    this.states.delete(runId);
    this.open.delete(runId);
    await st?.fh?.close();
  }

  async closeAll(): Promise<void> {
    const handles = [...this.open.values()];
    this.open.clear();
    this.states.clear();
    await Promise.all(handles.map((fh) => fh.close()));
  }

  /** Commits a chunk of a batch: check seqs, seal it in the WAL (if any), write the journals. */
  readonly commitChunk: CommitChunk = async (chunk) => {
    for (const [runId] of chunk) this.pinned.add(runId);
    try {
      const prepared = await Promise.all(chunk.map(([runId, appends]) => this.prepare(runId, appends)));
      const wal = this.opts.wal;
      if (wal) {
        const entries = prepared.flatMap((p) => p.accepted.map((a) => ({ runId: p.runId, firstSeq: a.firstSeq, lastSeq: a.lastSeq, lines: a.data.toString('utf8') })));
        if (entries.length > 0) {
          try {
            await wal.append(entries);
            if (this.opts.fsync) this.stats.fsyncs++;
          } catch (e) {
            return prepared.map((p) => p.results.map((r) => r ?? (e as Error)));
          }
        }
      }
      const results = await Promise.all(prepared.map((p) => this.write(p)));
      if (wal && wal.size >= this.opts.walCheckpointBytes) await this.checkpoint();
      return results;
    } finally {
      for (const [runId] of chunk) this.pinned.delete(runId);
    }
  };

  /**
   * With a WAL: fsyncs every journal written since the last checkpoint (and the folders
   * of new runs), then empties the WAL. Called between batches and on close.
   */
  async checkpoint(): Promise<void> {
    const wal = this.opts.wal;
    if (!wal) return;
    const dirty = [...this.dirty];
    const newDirs = [...this.newDirs];
    if (this.opts.fsync) {
      await mapLimit(dirty, 32, async (runId) => {
        const open = this.states.get(runId)?.fh;
        const fh = open ?? (await fs.open(this.opts.journalOf(runId).journal, 'r'));
        try {
          await fh.sync();
        } finally {
          if (!open) await fh.close();
        }
      });
      for (const dir of newDirs) await fsyncDir(dir);
      if (newDirs.length > 0) await fsyncDir(this.opts.runsDir);
      this.stats.fsyncs += dirty.length;
      this.stats.dirFsyncs += newDirs.length + (newDirs.length > 0 ? 1 : 0);
    }
    await wal.reset();
    this.dirty.clear();
    this.newDirs.clear();
  }

  /** Opens the run's journal and sorts its appends into those that continue its seq and those that do not. */
  private async prepare(runId: string, appends: PendingAppend[]): Promise<Prepared> {
    let st: RunState;
    try {
      st = await this.ensureOpen(runId);
    } catch (e) {
      return { runId, results: appends.map(() => e as Error), accepted: [] };
    }
    const results: (Error | undefined)[] = [];
    const accepted: PendingAppend[] = [];
    let next = st.lastSeq + 1;
    for (const a of appends) {
      if (a.firstSeq !== next) {
        results.push(new Error(`append to run "${runId}": records start at seq ${a.firstSeq}, but the journal needs ${next} next`));
        continue;
      }
      results.push(undefined);
      accepted.push(a);
      next = a.lastSeq + 1;
    }
    return { runId, st, results, accepted };
  }

  /** Writes a run's accepted appends; without a WAL also fsyncs them (and a new run's folders). */
  private async write({ runId, st, results, accepted }: Prepared): Promise<(Error | undefined)[]> {
    if (!st || accepted.length === 0) return results;
    const data = accepted.length === 1 ? (accepted[0] as PendingAppend).data : Buffer.concat(accepted.map((a) => a.data));
    try {
      await writeAll(st.fh as fs.FileHandle, data);
      if (this.opts.wal) {
        this.dirty.add(runId);
        if (st.newRun) this.newDirs.add(this.opts.journalOf(runId).dir);
      } else if (this.opts.fsync) {
        await (this.opts.syncFile ? this.opts.syncFile(st.fh as fs.FileHandle, runId) : (st.fh as fs.FileHandle).sync());
        this.stats.fsyncs++;
        if (st.newRun) {
          await fsyncDir(this.opts.journalOf(runId).dir);
          await fsyncDir(this.opts.runsDir);
          this.stats.dirFsyncs += 2;
        }
      }
    } catch (e) {
      await this.abandon(runId, st);
      return results.map((r) => r ?? (e as Error));
    }
    st.newRun = false;
    for (const a of accepted) {
      st.size += a.data.length;
      st.ends.push({ seq: a.lastSeq, end: st.size, crc: a.lastCrc });
      this.stats.records += a.records;
    }
    if (st.ends.length > ENDS_KEPT) st.ends.splice(0, st.ends.length - ENDS_KEPT);
    st.lastSeq = accepted.at(-1)?.lastSeq ?? st.lastSeq;
    this.stats.appends += accepted.length;
    this.stats.bytes += data.length;
    return results;
  }

  private async ensureOpen(runId: string): Promise<RunState> {
    const known = this.states.get(runId);
    if (known?.fh) {
      this.open.delete(runId);
      this.open.set(runId, known.fh);
      return known;
    }
    const closing = this.evict();
    this.opening++;
    try {
      await closing;
      const fh = await this.openJournal(runId);
      this.open.set(runId, fh);
      return this.states.get(runId) as RunState;
    } finally {
      this.opening--;
    }
  }

  /** Opens a journal for appending and learns (or checks) where it ends. */
  private async openJournal(runId: string): Promise<fs.FileHandle> {
    const { dir, journal } = this.opts.journalOf(runId);
    const fh = await fs.open(journal, 'a+').catch(async (e: unknown) => {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      await fs.mkdir(dir, { recursive: true });
      return fs.open(journal, 'a+');
    });
    try {
      const size = (await fh.stat()).size;
      let st = this.states.get(runId);
      if (!st || st.size !== size) {
        // Unknown, or changed behind our back: trust only what the file's last line says.
        const last = await readRecordEndingAt(fh, size);
        if (!last.ok) throw new TornTailError(journal, last.offset, last.reason);
        st = { lastSeq: last.seq, size, ends: size > 0 ? [{ seq: last.seq, end: size, crc: last.crc }] : [], newRun: size === 0 };
        this.states.set(runId, st);
      }
      st.fh = fh;
      return fh;
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /**
   * Closes least recently used handles until one more fits; never a pinned one. Picks
   * synchronously, so concurrent openers do not all see the same free slot.
   */
  private evict(): Promise<unknown> {
    const closing: Promise<void>[] = [];
    for (const [runId, fh] of this.open) {
      if (this.open.size + this.opening < this.opts.maxOpenFiles) break;
      if (this.pinned.has(runId)) continue;
      this.open.delete(runId);
      const st = this.states.get(runId);
      if (st) delete st.fh;
      closing.push(fh.close());
    }
    return Promise.all(closing);
  }

  /** After a failed write or fsync: cut the file back to its durable length and forget the run. */
  private async abandon(runId: string, st: RunState): Promise<void> {
    try {
      await st.fh?.truncate(st.size);
    } catch {
      // The next append re-reads the tail and refuses a torn one, so nothing is lost here.
    }
    await this.forget(runId).catch(() => undefined);
  }
}
