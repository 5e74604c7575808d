import { promises as fs, statSync } from 'node:fs';
import { writeAll as writeAllTo } from '../workspace/fd.js';
import path from 'node:path';
import { writeFileAtomic } from '../workspace/atomic.js';
import { decodeFrame, isRecord, NL, scanFrames, type Scan } from './frame.js';
import { JournalCorruptError } from './errors.js';
import type { JournalRecord } from './types.js';

/** Reads `length` bytes at `position`; fewer if the file is shorter. */
export async function readAt(fh: fs.FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** Writes all of `data` at the handle's position (the end, for an append-mode handle). */
export async function writeAll(fh: fs.FileHandle, data: Buffer): Promise<void> {
  writeAllTo(fh.fd, data);
}

/** Scans a whole journal; throws {@link JournalCorruptError} for damage a crash cannot explain. */
export async function scanJournal(file: string): Promise<Scan> {
  const scan = scanFrames(await fs.readFile(file));
  if (scan.corrupt) throw new JournalCorruptError(file, scan.corrupt.line, scan.corrupt.offset, scan.corrupt.reason);
  return scan;
}

/** The last line of a file of `size` bytes, or why the file does not end with a good record. */
export type LastRecord =
  | { ok: true; seq: number; start: number; crc: string }
  | { ok: false; offset: number; reason: string };

/**
 * Reads the record that ends exactly at byte `end` (which must follow a newline), reading
 * backwards in growing windows so a long record costs a few reads, never the whole file.
 */
export async function readRecordEndingAt(fh: fs.FileHandle, end: number): Promise<LastRecord> {
  if (end === 0) return { ok: true, seq: 0, start: 0, crc: '' };
  let window = 4096;
  for (;;) {
    const start = Math.max(0, end - window);
    const buf = await readAt(fh, start, end - start);
    if (buf.length !== end - start) return { ok: false, offset: start + buf.length, reason: 'file is shorter than expected' };
    if (buf[buf.length - 1] !== NL) return { ok: false, offset: end, reason: 'no trailing newline (interrupted write)' };
    const prev = buf.lastIndexOf(NL, buf.length - 2);
    if (prev === -1 && start > 0) {
      window *= 4;
      continue;
    }
    const lineStart = start + prev + 1;
    const check = decodeFrame(buf.subarray(prev + 1, buf.length - 1));
    if (!check.ok) return { ok: false, offset: lineStart, reason: check.reason };
    if (!isRecord(check.value)) return { ok: false, offset: lineStart, reason: 'record has no positive integer "seq"' };
    return { ok: true, seq: check.value.seq, start: lineStart, crc: check.crc };
  }
}

/**
 * Cuts a journal back to `offset` (its valid prefix), first keeping the cut bytes in
 * `journal.torn.<offset>` beside it (never overwriting an earlier piece), so nothing is lost.
 */
export async function cutTail(file: string, offset: number, fsync: boolean): Promise<void> {
  const fh = await fs.open(file, 'r+');
  try {
    const size = (await fh.stat()).size;
    if (size <= offset) return;
    const torn = await readAt(fh, offset, size - offset);
    await writeFileAtomic(await freeName(path.join(path.dirname(file), `journal.torn.${offset}`)), torn, { fsync });
    await fh.truncate(offset);
    if (fsync) await fh.sync();
  } finally {
    await fh.close();
  }
}

/** `base`, or `base.1`, `base.2`, … whichever does not exist yet. */
async function freeName(base: string): Promise<string> {
  for (let n = 0; ; n++) {
    const name = n === 0 ? base : `${base}.${n}`;
    try {
      await fs.access(name);
    } catch {
      return name;
    }
  }
}

/** Whether `file` is a regular file; a path through something that is not a folder (ENOTDIR) is not one. */
export function isJournal(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw e;
  }
}

/** Throws unless the records' seqs are consecutive positive integers (the store's append; a function of its own, as encodeFrames is). */
export function checkSeqs(runId: string, records: readonly JournalRecord[]): void {
  const first = records[0]!.seq;
  for (let i = 0; i < records.length; i++) {
    const seq = records[i]!.seq;
    if (!Number.isInteger(seq) || seq !== first + i || seq < 1) {
      throw new Error(`append to run "${runId}": seq must be consecutive positive integers, got ${records.map((x) => x.seq).join(',')}`);
    }
  }
}
