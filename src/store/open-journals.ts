import { fstatSync, mkdirSync, promises as fs, statSync } from 'node:fs';
import { JournalCorruptError, JournalGoneError } from './errors.js';
import { scanFrames } from './frame.js';
import { cutTail, scanJournal } from './journal-file.js';

/** Where record `seq` ends in its journal, and its checksum. */
export interface RecordEnd {
  seq: number;
  end: number;
  crc: string;
}

/** What is remembered of a run's journal: where it ends, plus a file handle while it is active. */
export interface JournalEnd {
  lastSeq: number;
  /** Length of the journal's written, valid prefix. */
  size: number;
  /** Where the last few appends end, so a snapshot finds its offset without a read. */
  ends: RecordEnd[];
  fh?: fs.FileHandle;
  /** The journal was empty when opened: its folder entries still need an fsync. */
  newRun: boolean;
  /** Every record was checked in this process (not only the last): corruption anywhere is found before an append. */
  verified?: boolean;
  /** The journal's inode while a handle is open: a deleted or replaced journal is told by it. */
  ino?: number;
  /** Its modification time after this process's last write: a change by anything else is told by it. */
  mtimeMs?: number;
}

/** How many recent appends' ends are remembered per run. */
export const ENDS_KEPT = 8;

/**
 * The journals open for appending: handles are kept for active runs only, at most
 * `maxOpenFiles` (least recently used closed first, never one being committed), so
 * 10,000 runs do not exhaust file descriptors. Idle runs keep only their JournalEnd.
 */
export class OpenJournals {
  private readonly states = new Map<string, JournalEnd>();
  /** Open handles, least recently used first. */
  private readonly open = new Map<string, fs.FileHandle>();
  /** Runs being committed: their handles must not be evicted. */
  private readonly pinned = new Set<string>();
  /** Handles being opened: they count against maxOpenFiles before they are in `open`. */
  private opening = 0;
  /** New runs' journals being made ahead of their first append ({@link warm}). */
  private readonly making = new Map<string, Promise<unknown>>();
  /** Handles kept open at most: `maxOpenFiles`, less once the process ran out of file handles. */
  private cap: number;
  private opensSinceShed = 0;

  constructor(
    private readonly journalOf: (runId: string) => { dir: string; journal: string },
    private readonly maxOpenFiles: number,
    /** fsync the cut when a torn tail is repaired. */
    private readonly fsync = true,
  ) {
    this.cap = maxOpenFiles;
  }

  /** Where record `seq` ends if it is among the last few written or loaded. */
  endOf(runId: string, seq: number): RecordEnd | undefined {
    return this.states.get(runId)?.ends.find((e) => e.seq === seq);
  }

  /** Remembers a run's end learned by a load, sparing the next append a tail read. */
  prime(runId: string, lastSeq: number, size: number, crc: string, verified = false): void {
    if (this.states.has(runId)) return;
    this.states.set(runId, { lastSeq, size, ends: size > 0 ? [{ seq: lastSeq, end: size, crc }] : [], newRun: false, verified });
  }

  pin(runId: string): void {
    this.pinned.add(runId);
  }

  unpin(runId: string): void {
    this.pinned.delete(runId);
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

  /**
   * The run's journal end with an open handle; a torn last write is cut off (and kept aside)
   * first. `fresh`: the append starts the run (seq 1), so its journal is most likely not
   * there yet.
   */
  async ensureOpen(runId: string, fresh = false): Promise<JournalEnd & { fh: fs.FileHandle }> {
    const made = this.making.get(runId);
    if (made) await made;
    const known = this.states.get(runId);
    if (known?.fh) {
      await this.checkStillThere(runId, known);
      this.open.delete(runId);
      this.open.set(runId, known.fh);
      return known as JournalEnd & { fh: fs.FileHandle };
    }
    const closing = this.evict();
    this.opening++;
    try {
      await closing;
      const st = (!known && fresh && (await this.create(runId))) || (await this.openJournal(runId));
      this.open.set(runId, st.fh);
      return st;
    } finally {
      this.opening--;
    }
  }

  /**
   * Makes a new run's journal in the background (its folder, then the file: see create), so
   * that its first append finds it open instead of waiting for the open behind the thread
   * pool's fsyncs. A failure is met again, and said, by that append.
   */
  warm(runId: string): void {
    if (this.states.has(runId) || this.making.has(runId)) return;
    const made = this.ensureOpen(runId, true)
      .catch(() => undefined)
      .finally(() => this.making.delete(runId));
    this.making.set(runId, made);
  }

  /** After a failed write or fsync: cut the file back to its last good length and forget the run. */
  async abandon(runId: string, st: JournalEnd): Promise<void> {
    try {
      await st.fh?.truncate(st.size);
    } catch {
      // The next append re-reads the tail and refuses a torn one, so nothing is lost here.
    }
    await this.forget(runId).catch(() => undefined);
  }

  /**
   * One stat per append of a run whose handle is open: the journal must still be the file
   * the handle writes (not deleted with runs/ or its folder, not replaced), have the length
   * this process wrote, and, if something else touched it, still read well throughout.
   */
  private async checkStillThere(runId: string, st: JournalEnd): Promise<void> {
    const { journal } = this.journalOf(runId);
    // Synchronous, as the fstat after a write: a few microseconds, less than a thread pool round trip.
    const now = statSync(journal, { throwIfNoEntry: false });
    let gone: string | undefined;
    if (!now) gone = 'was deleted';
    else if (st.ino !== undefined && now.ino !== st.ino) gone = 'was replaced by another file';
    else if (now.size !== st.size) gone = `changed length behind the engine (${st.size} → ${now.size} bytes)`;
    if (!gone && now && st.mtimeMs !== undefined && now.mtimeMs !== st.mtimeMs) {
      // Written by something else, same length: read it all again before appending to it.
      const scan = scanFrames(await fs.readFile(journal));
      if (scan.corrupt) {
        await this.forget(runId);
        throw new JournalCorruptError(journal, scan.corrupt.line, scan.corrupt.offset, scan.corrupt.reason);
      }
      if (scan.torn || scan.records.length !== st.lastSeq) gone = 'was rewritten by something other than the engine';
      else st.mtimeMs = now.mtimeMs;
    }
    if (!gone) return;
    await this.forget(runId);
    throw new JournalGoneError(journal, gone);
  }

  /** Notes the journal's modification time after this process wrote it. */
  wrote(st: JournalEnd & { fh: fs.FileHandle }): void {
    st.mtimeMs = fstatSync(st.fh.fd).mtimeMs;
  }

  /**
   * Makes a new run's journal: its folder, then the file, exclusively. Made so, it is
   * known empty: no stat nor read through the thread pool, no failed open first (a new
   * run's journal cost five round trips before its first append). Undefined when the file
   * is there already (a crash after it was made, before its first record was durable): it
   * is opened and read as any other then.
   */
  private async create(runId: string): Promise<(JournalEnd & { fh: fs.FileHandle }) | undefined> {
    const { dir, journal } = this.journalOf(runId);
    mkdirSync(dir, { recursive: true });
    const fh = await this.openAppend(journal, 'ax+').catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
      throw e;
    });
    if (!fh) return undefined;
    const { ino, mtimeMs } = fstatSync(fh.fd);
    const st: JournalEnd & { fh: fs.FileHandle } = { lastSeq: 0, size: 0, ends: [], newRun: true, verified: true, ino, mtimeMs, fh };
    this.states.set(runId, st);
    return st;
  }

  /** Opens a journal for appending and learns (or checks) where it ends; a torn last write is cut off first. */
  private async openJournal(runId: string): Promise<JournalEnd & { fh: fs.FileHandle }> {
    const opened = await this.tryOpen(runId);
    if (opened) return opened;
    // A write a crash cut was never acknowledged: cut it off (kept in journal.torn.<offset>); corruption before it throws.
    const { journal } = this.journalOf(runId);
    const scan = await scanJournal(journal);
    if (scan.torn) await cutTail(journal, scan.torn.offset, this.fsync);
    const again = await this.tryOpen(runId);
    if (!again) throw new Error(`journal ${journal} still ends badly after its torn tail was cut`);
    return again;
  }

  /** The journal open with where it ends, or undefined when its last write is torn. */
  private async tryOpen(runId: string): Promise<(JournalEnd & { fh: fs.FileHandle }) | undefined> {
    const { dir, journal } = this.journalOf(runId);
    const known = this.states.get(runId);
    const fh = await this.openAppend(journal).catch(async (e: unknown) => {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // A run with records whose journal is gone must not start a new one from seq 1.
      if (known && known.lastSeq > 0) throw new JournalGoneError(journal, 'was deleted');
      await fs.mkdir(dir, { recursive: true });
      return fs.open(journal, 'a+');
    });
    let keep = false;
    try {
      const { size, ino, mtimeMs } = await fh.stat();
      let st = known;
      if (!st || st.size !== size || !st.verified || (st.mtimeMs !== undefined && st.mtimeMs !== mtimeMs)) {
        // Unknown, unchecked, or changed behind our back: read it all once, so damage anywhere is found before we append.
        const scan = scanFrames(await fh.readFile());
        if (scan.corrupt) throw new JournalCorruptError(journal, scan.corrupt.line, scan.corrupt.offset, scan.corrupt.reason);
        if (scan.torn) return undefined;
        const lastSeq = scan.records.length;
        if (st && st.lastSeq !== lastSeq) {
          throw new JournalGoneError(journal, `was rewritten (it ends at record ${lastSeq}, the engine wrote up to ${st.lastSeq})`);
        }
        const end = scan.ends.at(-1) ?? 0;
        st = { lastSeq, size, ends: end > 0 ? [{ seq: lastSeq, end, crc: scan.lastCrc ?? '' }] : [], newRun: size === 0, verified: true };
        this.states.set(runId, st);
      }
      st.ino = ino;
      st.mtimeMs = mtimeMs;
      st.fh = fh;
      keep = true;
      return st as JournalEnd & { fh: fs.FileHandle };
    } finally {
      if (!keep) await fh.close();
    }
  }

  /**
   * Opens a journal for appending. Out of file handles (EMFILE, ENFILE: the process's
   * limit is lower than `maxOpenFiles` allows for), the handles of runs not being
   * committed are closed and the open tried once more, and from then on no more handles
   * are kept than were open then (growing back by one every 64 opens), so the engine goes
   * on within the limit by itself.
   */
  private async openAppend(journal: string, flags = 'a+'): Promise<fs.FileHandle> {
    try {
      const fh = await fs.open(journal, flags);
      // Room again (the limit was raised, other files closed): the cache grows back slowly.
      if (this.cap < this.maxOpenFiles && ++this.opensSinceShed % 64 === 0) this.cap++;
      return fh;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'EMFILE' && code !== 'ENFILE') || this.open.size === 0) throw e;
      await this.release();
      return fs.open(journal, flags);
    }
  }

  /**
   * Out of file handles (here, or anywhere in the process): closes every handle not being
   * committed, and keeps at most half as many as were open from now on.
   */
  async release(): Promise<void> {
    this.cap = Math.max(1, Math.min(this.cap, Math.floor(this.open.size / 2)));
    this.opensSinceShed = 0;
    await this.shed();
  }

  /** Closes every handle not being committed. */
  private shed(): Promise<unknown> {
    return this.closeUnpinned(() => false);
  }

  /**
   * Closes least recently used handles until one more fits; never a pinned one. Picks
   * synchronously, so concurrent openers do not all see the same free slot.
   */
  private evict(): Promise<unknown> {
    return this.closeUnpinned(() => this.open.size + this.opening < this.cap);
  }

  /** Closes handles not being committed, least recently used first, until `enough`. */
  private closeUnpinned(enough: () => boolean): Promise<unknown> {
    const closing: Promise<void>[] = [];
    for (const [runId, fh] of this.open) {
      if (enough()) break;
      if (this.pinned.has(runId)) continue;
      this.open.delete(runId);
      const st = this.states.get(runId);
      if (st) delete st.fh;
      closing.push(fh.close());
    }
    return Promise.all(closing);
  }
}
