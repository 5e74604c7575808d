import { promises as fs } from 'node:fs';
import { fsyncDir } from '../workspace/atomic.js';
import { TornTailError } from './errors.js';
import type { CommitRun, PendingAppend } from './group-commit.js';
import { readRecordEndingAt, writeAll } from './journal-file.js';
import type { StoreStats } from './types.js';

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

/** Options of {@link JournalWriter}. */
export interface JournalWriterOptions {
  runsDir: string;
  journalOf(runId: string): { dir: string; journal: string };
  fsync: boolean;
  maxOpenFiles: number;
  /** Makes a journal durable; a port so tests can observe and hold fsyncs. @default fh.sync() */
  syncFile?: (fh: fs.FileHandle, runId: string) => Promise<void>;
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

  readonly commitRun: CommitRun = async (runId, appends) => {
    this.pinned.add(runId);
    try {
      let st: RunState;
      try {
        st = await this.ensureOpen(runId);
      } catch (e) {
        return appends.map(() => e as Error);
      }
      const fh = st.fh as fs.FileHandle;
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
      if (accepted.length === 0) return results;
      const data = accepted.length === 1 ? (accepted[0] as PendingAppend).data : Buffer.concat(accepted.map((a) => a.data));
      try {
        await writeAll(fh, data);
        if (this.opts.fsync) {
          await (this.opts.syncFile ? this.opts.syncFile(fh, runId) : fh.sync());
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
      st.lastSeq = next - 1;
      this.stats.appends += accepted.length;
      this.stats.bytes += data.length;
      return results;
    } finally {
      this.pinned.delete(runId);
    }
  };

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
