import { promises as fs } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { encodeFrame, NL, decodeFrame } from './frame.js';
import { writeAll } from './journal-file.js';

/** One append as the write-ahead log holds it: the run, its seqs and its journal lines. */
export interface WalEntry {
  runId: string;
  firstSeq: number;
  lastSeq: number;
  /** The exact journal lines of the append. */
  lines: string;
}

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

  constructor(
    readonly file: string,
    private readonly fsync: boolean,
  ) {}

  /** Appends entries and fsyncs them; on failure cuts the log back so no half batch stays. */
  async append(entries: WalEntry[]): Promise<void> {
    this.fh ??= await fs.open(this.file, 'a');
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
    if (!this.fh) return false;
    const [mine, now] = await Promise.all([this.fh.stat(), fs.stat(this.file).catch(() => undefined)]);
    if (now && now.ino === mine.ino && now.dev === mine.dev) return false;
    await this.fh.close().catch(() => undefined);
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    this.fh = await fs.open(this.file, 'a');
    this.size = 0;
    this.mustCut = false;
    return true;
  }

  /** Empties the log (after a checkpoint made every journal durable). */
  async reset(): Promise<void> {
    this.fh ??= await fs.open(this.file, 'a');
    await this.fh.truncate(0);
    if (this.fsync) await this.fh.sync();
    this.size = 0;
  }

  async close(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
  }
}

/**
 * The entries of a log left by a previous process, in order. Stops at the first bad line:
 * a batch whose write was cut was never acknowledged, so dropping its rest loses nothing.
 */
export async function readWal(file: string, onDamage?: (d: WalDamage) => void): Promise<WalEntry[]> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: WalEntry[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(NL, pos);
    if (nl === -1) break;
    const check = decodeFrame(buf.subarray(pos, nl));
    if (!check.ok) break;
    const v = check.value as { r: string; s: number; e: number; l?: string; n?: number; k?: string };
    if (typeof v.l === 'string') {
      // The older layout: the lines inside the header, JSON-escaped.
      out.push({ runId: v.r, firstSeq: v.s, lastSeq: v.e, lines: v.l });
      pos = nl + 1;
      continue;
    }
    const end = nl + 1 + (v.n ?? 0);
    const bytes = buf.subarray(nl + 1, end);
    if (typeof v.n !== 'number' || end > buf.length || crcOf(bytes) !== v.k) break;
    out.push({ runId: v.r, firstSeq: v.s, lastSeq: v.e, lines: bytes.toString('utf8') });
    pos = end;
  }
  if (pos < buf.length && onDamage) onDamage({ offset: pos, bytes: buf.length - pos, intactAfter: headerAfter(buf, pos) });
  return out;
}

/** Unreadable bytes in a write-ahead log, from `offset` to its end. */
export interface WalDamage {
  offset: number;
  bytes: number;
  /** An intact entry header follows the damage: the log was damaged, not cut by a crash. */
  intactAfter: boolean;
}

/** Whether an intact entry header starts any line after `pos`. */
function headerAfter(buf: Buffer, pos: number): boolean {
  for (let nl = buf.indexOf(NL, pos); nl !== -1 && nl + 1 < buf.length; nl = buf.indexOf(NL, nl + 1)) {
    const next = buf.indexOf(NL, nl + 1);
    if (next === -1) return false;
    const check = decodeFrame(buf.subarray(nl + 1, next));
    if (check.ok && typeof (check.value as { r?: unknown }).r === 'string') return true;
  }
  return false;
}

/**
 * One entry on disk: a checksummed header line naming the run, its seqs, and the length
 * and checksum of the journal lines that follow it as they are (already framed), so a
 * batch is not JSON-escaped a second time.
 */
function encodeEntry(e: WalEntry): Buffer[] {
  const lines = Buffer.from(e.lines);
  return [Buffer.from(encodeFrame({ r: e.runId, s: e.firstSeq, e: e.lastSeq, n: lines.length, k: crcOf(lines) })), lines];
}

const crcOf = (bytes: Uint8Array): string => crc32(bytes).toString(16).padStart(8, '0');
