import { constants, fstatSync, lstatSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { encodeFrame, NL, decodeFrame } from './frame.js';
import { writeAll } from './journal-file.js';

/** Opened for appending, never through a link put in its place (docs/DESIGN.md §4). */
const APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/** One append as the write-ahead log holds it: the run, its seqs and its journal lines. */
export interface WalEntry {
  runId: string;
  firstSeq: number;
  lastSeq: number;
  /** The exact journal lines of the append. */
  lines: string;
}

/** An entry as it is appended: the journal lines as the bytes the journal gets (no copy as text). */
export type WalAppend = Omit<WalEntry, 'lines'> & { lines: string | Uint8Array };

/**
 * The shared write-ahead log: every append of a batch goes into this one file, fsynced
 * once, so a batch over 200 runs costs one fsync instead of 200. The runs' journals are
 * written without fsync and fsynced together at a checkpoint, after which the log is
 * emptied; after a crash, {@link readWal} gives what the journals may be missing.
 */
export class Wal {
  private fh: fs.FileHandle | undefined;
  /** Bytes in the log since the last checkpoint. */
  size = 0;
  /** A failed append may have left part of a batch after `size`: cut it before the next one. */
  private mustCut = false;
  /** The log was found deleted or replaced and no new one could be opened yet. */
  private replacing = false;

  constructor(
    readonly file: string,
    private readonly fsync: boolean,
  ) {}

  /** Appends entries and fsyncs them; on failure cuts the log back so no half batch stays. */
  async append(entries: WalAppend[]): Promise<void> {
    this.fh ??= await fs.open(this.file, APPEND);
    const data = Buffer.concat(entries.flatMap((e) => encodeEntry(e)));
    try {
      // A half batch left by a failed write must go before anything follows it, or a
      // replay would stop at it and miss what comes after.
      if (this.mustCut) await this.fh.truncate(this.size);
      this.mustCut = false;
      await writeAll(this.fh, data);
      if (this.fsync) await this.fh.sync();
      this.size += data.length;
    } catch (e) {
      this.mustCut = true;
      await this.fh
        .truncate(this.size)
        .then(() => (this.mustCut = false))
        .catch(() => undefined);
      if ((e as NodeJS.ErrnoException).path === undefined) Object.assign(e as object, { path: this.file });
      throw e;
    }
  }

  /**
   * Whether the log file is still the one being written. When it was deleted or replaced
   * (with runs/, or by hand), a new one is started and true returned: the caller must make
   * the journals durable now, as the old log's copy of recent batches is gone.
   */
  async lost(): Promise<boolean> {
    if (this.fh) {
      // Synchronous: two stats of a few microseconds each, once per batch.
      const mine = fstatSync(this.fh.fd);
      let now;
      try {
        now = lstatSync(this.file, { throwIfNoEntry: false });
      } catch {
        now = undefined;
      }
      if (now && now.ino === mine.ino && now.dev === mine.dev) return false;
      await this.fh.close().catch(() => undefined);
      this.fh = undefined;
      // Until a new log is open, the journals are the only copy: the next try says so again.
      this.replacing = true;
    } else if (!this.replacing) {
      return false;
    }
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    this.fh = await fs.open(this.file, APPEND).catch(async (e: unknown) => {
      if ((e as NodeJS.ErrnoException).code !== 'ELOOP') throw e;
      const target = await fs.readlink(this.file).catch(() => '?');
      throw Object.assign(
        new Error(`the write-ahead log ${this.file} was replaced by a symbolic link (to ${target}); teamstate writes nothing through a link: remove it, and the engine starts a new log`),
        { code: 'ELOOP', path: this.file },
      );
    });
    this.replacing = false;
    this.size = 0;
    this.mustCut = false;
    return true;
  }

  /** Empties the log (after a checkpoint made every journal durable). */
  async reset(): Promise<void> {
    this.fh ??= await fs.open(this.file, APPEND);
    await this.fh.truncate(0);
    if (this.fsync) await this.fh.sync();
    this.size = 0;
  }

  async close(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
  }
}

/** What a log left by a previous process holds: its intact entries in order, and where it is damaged. */
export interface WalContents {
  entries: WalEntry[];
  damage: WalDamage[];
}

/** Unreadable bytes in a write-ahead log: `bytes` of them from `offset`. */
export interface WalDamage {
  offset: number;
  bytes: number;
  /**
   * Intact entries follow the damage: the log was damaged (a bad disk, a careless
   * writer), not cut by a crash. A damaged end with nothing intact after it is the torn
   * last batch of a crash: never acknowledged, so dropping it loses nothing.
   */
  intactAfter: boolean;
  /** The run of the entry the damage starts in, when its header still reads. */
  runId?: string;
  /** That entry's seqs, when its header still reads. */
  seqs?: { first: number; last: number };
}

/**
 * Reads a log left by a previous process. Damage does not stop the reading: it is noted
 * and reading goes on from the next intact entry header, so that entries after a damaged
 * spot are still replayed (an acknowledged append is in the log, whatever came before it).
 */
export async function readWal(file: string): Promise<WalContents> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], damage: [] };
    throw e;
  }
  const entries: WalEntry[] = [];
  const damage: WalDamage[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const entry = entryAt(buf, pos);
    if (entry.ok) {
      entries.push(entry.entry);
      pos = entry.end;
      continue;
    }
    const next = nextHeader(buf, pos);
    damage.push({
      offset: pos,
      bytes: (next ?? buf.length) - pos,
      intactAfter: next !== undefined,
      ...(entry.header ? { runId: entry.header.r, seqs: { first: entry.header.s, last: entry.header.e } } : {}),
    });
    if (next === undefined) break;
    pos = next;
  }
  return { entries, damage };
}

interface Header {
  r: string;
  s: number;
  e: number;
  l?: string;
  n?: number;
  k?: string;
}

/** The entry starting at `pos`, or why not (with its header when that much reads). */
function entryAt(buf: Buffer, pos: number): { ok: true; entry: WalEntry; end: number } | { ok: false; header?: Header } {
  const nl = buf.indexOf(NL, pos);
  if (nl === -1) return { ok: false };
  const check = decodeFrame(buf.subarray(pos, nl));
  if (!check.ok || !isHeader(check.value)) return { ok: false };
  const v = check.value;
  if (typeof v.l === 'string') {
    // The older layout: the lines inside the header, JSON-escaped.
    return { ok: true, entry: { runId: v.r, firstSeq: v.s, lastSeq: v.e, lines: v.l }, end: nl + 1 };
  }
  const end = nl + 1 + (v.n ?? 0);
  const bytes = buf.subarray(nl + 1, end);
  if (typeof v.n !== 'number' || end > buf.length || crcOf(bytes) !== v.k) return { ok: false, header: v };
  return { ok: true, entry: { runId: v.r, firstSeq: v.s, lastSeq: v.e, lines: bytes.toString('utf8') }, end };
}

const isHeader = (v: unknown): v is Header =>
  typeof v === 'object' && v !== null && typeof (v as Header).r === 'string' && Number.isInteger((v as Header).s) && Number.isInteger((v as Header).e);

/** Where the next line after `pos` that is an intact entry header starts, if any. */
function nextHeader(buf: Buffer, pos: number): number | undefined {
  for (let nl = buf.indexOf(NL, pos); nl !== -1 && nl + 1 < buf.length; nl = buf.indexOf(NL, nl + 1)) {
    const next = buf.indexOf(NL, nl + 1);
    if (next === -1) return undefined;
    const check = decodeFrame(buf.subarray(nl + 1, next));
    if (check.ok && isHeader(check.value)) return nl + 1;
  }
  return undefined;
}

/**
 * One entry on disk: a checksummed header line naming the run, its seqs, and the length
 * and checksum of the journal lines that follow it as they are (already framed), so a
 * batch is not JSON-escaped a second time.
 */
function encodeEntry(e: WalAppend): Uint8Array[] {
  const lines = typeof e.lines === 'string' ? Buffer.from(e.lines) : e.lines;
  return [Buffer.from(encodeFrame({ r: e.runId, s: e.firstSeq, e: e.lastSeq, n: lines.length, k: crcOf(lines) })), lines];
}

const crcOf = (bytes: Uint8Array): string => crc32(bytes).toString(16).padStart(8, '0');
