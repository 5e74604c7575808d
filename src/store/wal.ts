import { promises as fs } from 'node:fs';
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

  constructor(
    readonly file: string,
    private readonly fsync: boolean,
  ) {}

  /** Appends entries and fsyncs them; on failure cuts the log back so no half batch stays. */
  async append(entries: WalEntry[]): Promise<void> {
    this.fh ??= await fs.open(this.file, 'a');
    const data = Buffer.concat(entries.flatMap((e) => encodeEntry(e)));
    try {
      await writeAll(this.fh, data);
      if (this.fsync) await this.fh.sync();
      this.size += data.length;
    } catch (e) {
      await this.fh.truncate(this.size).catch(() => undefined);
      throw e;
    }
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
export async function readWal(file: string): Promise<WalEntry[]> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: WalEntry[] = [];
  for (let pos = 0; pos < buf.length; ) {
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
  return out;
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
