import { promises as fs } from 'node:fs';
import { decodeFrame, encodeFrame, NL, scanFrames } from './frame.js';
import { readAt, readRecordEndingAt } from './journal-file.js';
import type { LoadResult } from './types.js';

/** What snapshot.json holds: the state after record `seq`, which ends at `journalBytes`. */
export interface SnapshotFile {
  seq: number;
  journalBytes: number;
  /** The checksum of record `seq`: proves the journal still holds that very record, not a rewrite. */
  crc: string;
  data: unknown;
}

/** The snapshot file's text: one framed line, so a damaged cache is detected, not trusted. */
export function encodeSnapshot(s: SnapshotFile): string {
  return encodeFrame(s);
}

/** Parses snapshot.json; undefined when it is missing or damaged (then the journal is read). */
export async function readSnapshot(file: string): Promise<SnapshotFile | undefined> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if (buf.length === 0 || buf[buf.length - 1] !== NL) return undefined;
  const check = decodeFrame(buf.subarray(0, buf.length - 1));
  if (!check.ok || typeof check.value !== 'object' || check.value === null) return undefined;
  const { seq, journalBytes, crc, data } = check.value as Partial<SnapshotFile>;
  if (typeof crc !== 'string') return undefined;
  if (!Number.isInteger(seq) || (seq as number) < 1 || !Number.isInteger(journalBytes) || (journalBytes as number) < 1) return undefined;
  return { seq: seq as number, journalBytes: journalBytes as number, crc, data };
}

/** A load served from the snapshot, with where the journal's valid records end. */
export interface FastLoad extends LoadResult {
  lastSeq: number;
  lastCrc: string;
  /** Length of the valid prefix of the journal. */
  validBytes: number;
}

/**
 * Loads a run from its snapshot plus only the journal bytes after it. The snapshot is used
 * only if the journal still has, ending exactly at `journalBytes`, the record `seq`; else
 * (or on any damage after it) undefined, and the caller reads the whole journal.
 */
export async function loadFromSnapshot(journalFile: string, snap: SnapshotFile): Promise<FastLoad | undefined> {
  const fh = await fs.open(journalFile, 'r');
  try {
    const size = (await fh.stat()).size;
    if (snap.journalBytes > size) return undefined;
    const last = await readRecordEndingAt(fh, snap.journalBytes);
    if (!last.ok || last.seq !== snap.seq || last.crc !== snap.crc) return undefined;
    const after = await readAt(fh, snap.journalBytes, size - snap.journalBytes);
    const scan = scanFrames(after, snap.journalBytes, snap.seq + 1);
    if (scan.corrupt) return undefined;
    return {
      snapshot: { seq: snap.seq, data: snap.data },
      tail: scan.records,
      ...(scan.torn ? { torn: scan.torn } : {}),
      lastSeq: snap.seq + scan.records.length,
      lastCrc: scan.lastCrc ?? snap.crc,
      validBytes: scan.torn ? scan.torn.offset : size,
    };
  } finally {
    await fh.close();
  }
}
