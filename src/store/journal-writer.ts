import { promises as fs } from 'node:fs';
import { fsyncDir } from '../workspace/atomic.js';
import type { CommitChunk, PendingAppend } from './group-commit.js';
import { writeAll } from './journal-file.js';
import { mapLimit } from './map-limit.js';
import { ENDS_KEPT, OpenJournals, type JournalEnd } from './open-journals.js';
import type { StoreStats } from './types.js';
import type { Wal } from './wal.js';

/** A run's share of a chunk after its seqs were checked. */
interface Prepared {
  runId: string;
  st?: JournalEnd & { fh: fs.FileHandle };
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
  /** Says what a person should know (the WAL deleted under the engine). */
  warn?: (line: string) => void;
}

/**
 * Commits the group commit's chunks to the journals: checks that each run's seq
 * continues, then either fsyncs each journal written, or (with a WAL) seals the whole
 * chunk with one fsync of the WAL first and fsyncs the journals at checkpoints.
 */
export class JournalWriter {
  readonly files: OpenJournals;
  /** With a WAL: runs whose journals were written since the last checkpoint, and new runs' folders. */
  private readonly dirty = new Set<string>();
  private readonly newDirs = new Set<string>();
  /**
   * With a WAL: runs whose journal write failed after their records were sealed in the WAL
   * (a full disk, an I/O error). Those appends are durable (the WAL holds them) and
   * resolved; the journal is mended from here (cut back to its good length, the bytes
   * written again) before the run takes another append, and the WAL is not emptied while
   * any journal lags behind it.
   */
  private readonly lagging = new Map<string, { goodSize: number; data: Buffer[] }>();
  readonly stats: Omit<StoreStats, 'batches'> = { appends: 0, records: 0, bytes: 0, fsyncs: 0, dirFsyncs: 0 };

  constructor(private readonly opts: JournalWriterOptions) {
    this.files = new OpenJournals(opts.journalOf, opts.maxOpenFiles, opts.fsync);
  }

  /** Commits a chunk of a batch: check seqs, seal it in the WAL (if any), write the journals. */
  readonly commitChunk: CommitChunk = async (chunk) => {
    for (const [runId] of chunk) this.files.pin(runId);
    try {
      const prepared = await Promise.all(chunk.map(([runId, appends]) => this.prepare(runId, appends)));
      const wal = this.opts.wal;
      if (wal) {
        const entries = prepared.flatMap((p) =>
          p.accepted.map((a) => ({ runId: p.runId, firstSeq: a.firstSeq, lastSeq: a.lastSeq, lines: a.data })),
        );
        if (entries.length > 0) {
          try {
            if (await wal.lost()) {
              this.opts.warn?.(`the write-ahead log ${wal.file} was deleted or replaced under the engine: a new one is started, and the journals are made durable now, so nothing is lost`);
              await this.checkpoint();
            }
            await wal.append(entries);
            if (this.opts.fsync) this.stats.fsyncs++;
          } catch (e) {
            return prepared.map((p) => p.results.map((r) => r ?? (e as Error)));
          }
        }
      }
      const results = await Promise.all(prepared.map((p) => this.write(p)));
      // A failed checkpoint fails no append (the WAL still holds them); the next batch retries it.
      if (wal && wal.size >= this.opts.walCheckpointBytes) await this.checkpoint().catch(() => undefined);
      return results;
    } finally {
      for (const [runId] of chunk) this.files.unpin(runId);
    }
  };

  /**
   * With a WAL: fsyncs every journal written since the last checkpoint (and the folders
   * of new runs), then empties the WAL. Called between batches and on close.
   */
  async checkpoint(): Promise<void> {
    const wal = this.opts.wal;
    if (!wal) return;
    for (const runId of [...this.lagging.keys()]) await this.catchUp(runId).catch(() => undefined);
    // A journal still behind the WAL needs the WAL's copy: empty it later.
    if (this.lagging.size > 0) return;
    const dirty = [...this.dirty];
    const newDirs = [...this.newDirs];
    if (this.opts.fsync) {
      // A handle of its own: the run's append handle may be closed meanwhile (eviction, markFinished).
      await mapLimit(dirty, 32, async (runId) => {
        const fh = await fs.open(this.opts.journalOf(runId).journal, 'r').catch((e: unknown) => {
          // Deleted under the engine: its run is quarantined on its next append; nothing to make durable here.
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw e;
        });
        if (!fh) return;
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      });
      // A folder deleted under the engine has nothing left to make durable (its run is quarantined).
      const gone = (e: unknown) => {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      };
      for (const dir of newDirs) await fsyncDir(dir).catch(gone);
      if (newDirs.length > 0) await fsyncDir(this.opts.runsDir).catch(gone);
      this.stats.fsyncs += dirty.length;
      this.stats.dirFsyncs += newDirs.length + (newDirs.length > 0 ? 1 : 0);
    }
    await wal.reset();
    for (const runId of dirty) this.dirty.delete(runId);
    for (const dir of newDirs) this.newDirs.delete(dir);
  }

  /** Opens the run's journal and sorts its appends into those that continue its seq and those that do not. */
  private async prepare(runId: string, appends: PendingAppend[]): Promise<Prepared> {
    let st: JournalEnd & { fh: fs.FileHandle };
    try {
      if (this.lagging.has(runId)) await this.catchUp(runId);
      st = await this.files.ensureOpen(runId, appends[0]?.firstSeq === 1);
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

  /** Whether the run's journal is behind the WAL (its last records are only there until it is mended). */
  lags(runId: string): boolean {
    return this.lagging.has(runId);
  }

  /**
   * Mends a journal that fell behind the WAL: cuts it back to its last good length and
   * writes the records again. Throws (and the run's next appends fail, unsealed) while the
   * fault lasts.
   */
  private async catchUp(runId: string): Promise<void> {
    const lag = this.lagging.get(runId);
    if (!lag) return;
    const { journal } = this.opts.journalOf(runId);
    const fh = await fs.open(journal, 'r+').catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).path === undefined) Object.assign(e as object, { path: journal });
      throw e;
    });
    try {
      await fh.truncate(lag.goodSize);
      let at = lag.goodSize;
      for (const data of lag.data) {
        for (let done = 0; done < data.length; ) {
          const { bytesWritten } = await fh.write(data, done, data.length - done, at);
          done += bytesWritten;
          at += bytesWritten;
        }
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).path === undefined) Object.assign(e as object, { path: journal });
      throw e;
    } finally {
      await fh.close();
    }
    this.lagging.delete(runId);
    this.dirty.add(runId);
  }

  /** Writes a run's accepted appends; without a WAL also fsyncs them (and a new run's folders). */
  private async write({ runId, st, results, accepted }: Prepared): Promise<(Error | undefined)[]> {
    if (!st || accepted.length === 0) return results;
    const data = accepted.length === 1 ? (accepted[0] as PendingAppend).data : Buffer.concat(accepted.map((a) => a.data));
    try {
      await writeAll(st.fh, data);
      if (this.opts.wal) {
        this.dirty.add(runId);
        if (st.newRun) this.newDirs.add(this.opts.journalOf(runId).dir);
      } else if (this.opts.fsync) {
        await (this.opts.syncFile ? this.opts.syncFile(st.fh, runId) : st.fh.sync());
        this.stats.fsyncs++;
        if (st.newRun) {
          await fsyncDir(this.opts.journalOf(runId).dir);
          await fsyncDir(this.opts.runsDir);
          this.stats.dirFsyncs += 2;
        }
      }
    } catch (e) {
      const where = this.opts.journalOf(runId).journal;
      if ((e as NodeJS.ErrnoException).path === undefined) Object.assign(e as object, { path: where });
      if (this.opts.wal) {
        // The WAL holds these records, so they are durable: the appends succeed, and the
        // journal is mended before this run takes its next one (a retry would fork the run).
        this.lagging.set(runId, { goodSize: st.size, data: accepted.map((a) => a.data) });
        this.dirty.add(runId);
        await this.files.forget(runId).catch(() => undefined);
        for (const a of accepted) this.stats.records += a.records;
        this.stats.appends += accepted.length;
        return results;
      }
      await this.files.abandon(runId, st);
      return results.map((r) => r ?? (e as Error));
    }
    st.newRun = false;
    try {
      this.files.wrote(st);
    } catch {
      st.mtimeMs = undefined;
    }
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
}
