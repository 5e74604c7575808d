import { closeSync, openSync, readSync } from 'node:fs';
import { checkedPayload, decodeFrame, encodeFrameBytes, NL, recordIdOf, scanFrames } from './frame.js';
import type { JournalRecord } from './types.js';

/** What snapshot.json holds: the state after record `seq`, which ends at `journalBytes`. */
export interface SnapshotFile {
  seq: number;
  journalBytes: number;
  /** The checksum of record `seq`: proves the journal still holds that very record, not a rewrite. */
  crc: string;
  /** The state (read `lazy`, parsed only when first asked for). */
  data: unknown;
  /** What the writer said of the data beside it (small), readable without parsing the data. */
  head?: unknown;
}

/** How a two-line snapshot's second line wraps the data: `{"data":<data>}`. */
const DATA_LINE = Buffer.from('{"data":');

/**
 * The snapshot file's bytes: framed lines, so a damaged cache is detected, not trusted.
 * Without a head, one line. With a head, two: the small fields with the head, then the
 * data in a frame of its own, whose checksum a reader checks without parsing the data.
 */
export function encodeSnapshot(s: SnapshotFile): Buffer {
  if (s.head === undefined) return encodeFrameBytes({ seq: s.seq, journalBytes: s.journalBytes, crc: s.crc, data: s.data }).bytes;
  return Buffer.concat([encodeFrameBytes({ seq: s.seq, journalBytes: s.journalBytes, crc: s.crc, head: s.head }).bytes, encodeFrameBytes({ data: s.data }).bytes]);
}

/**
 * Parses snapshot.json; undefined when it is missing or damaged (then the journal is read).
 * `lazy`: a two-line snapshot's data is not parsed, nor copied, here: it is read again from
 * the file when first asked for (a reader that needs only the head never pays for it). The
 * file is checked to hold the same snapshot then (only the engine writes it); if it was
 * replaced meanwhile, asking for the data throws.
 */
export function readSnapshot(file: string, lazy = false): SnapshotFile | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let buf: Buffer;
  try {
    buf = readToEnd(fd, 0);
  } finally {
    closeSync(fd);
  }
  if (buf.length === 0 || buf[buf.length - 1] !== NL) return undefined;
  const firstEnd = buf.indexOf(NL);
  const twoLines = firstEnd < buf.length - 1;
  const check = decodeFrame(buf.subarray(0, firstEnd));
  if (!check.ok || typeof check.value !== 'object' || check.value === null) return undefined;
  const { seq, journalBytes, crc, data, head } = check.value as Partial<SnapshotFile>;
  if (typeof crc !== 'string') return undefined;
  if (!Number.isInteger(seq) || (seq as number) < 1 || !Number.isInteger(journalBytes) || (journalBytes as number) < 1) return undefined;
  // A head is always followed by its data's line: a file cut after the head (rewritten in place, read or crashed midway) is not trusted.
  if (!twoLines && head !== undefined) return undefined;
  const snap: SnapshotFile = { seq: seq as number, journalBytes: journalBytes as number, crc, data, ...(head !== undefined ? { head } : {}) };
  if (!twoLines) return snap;
  const second = buf.subarray(firstEnd + 1, buf.length - 1);
  if (second.includes(NL)) return undefined;
  const payload = checkedPayload(second);
  if (!payload || !payload.subarray(0, DATA_LINE.length).equals(DATA_LINE)) return undefined;
  const json = payload.subarray(DATA_LINE.length, payload.length - 1);
  if (!lazy) {
    try {
      snap.data = JSON.parse(json.toString('utf8'));
    } catch {
      return undefined;
    }
    return snap;
  }
  // Not kept: `buf` is the shared read buffer. Read again, whole, when first asked for.
  return new LazySnapshot(file, snap);
}

/**
 * A snapshot read without its data (`readSnapshot`'s `lazy`): the data is read again from
 * the file, whole, when first asked for, and the file checked to hold the same snapshot.
 * A class, so that every one has the same shape and its getter is the prototype's: a
 * getter defined on each object (a closure per snapshot) made start allocate and keep
 * twice as much per run read back.
 */
class LazySnapshot implements SnapshotFile {
  // Own fields are those of a load's `snapshot` (seq, head); the rest are read through the prototype.
  readonly seq: number;
  readonly head?: unknown;
  readonly #journalBytes: number;
  readonly #crc: string;
  readonly #file: string;
  #parsed: { value: unknown } | undefined;

  constructor(file: string, snap: SnapshotFile) {
    this.#file = file;
    this.seq = snap.seq;
    this.#journalBytes = snap.journalBytes;
    this.#crc = snap.crc;
    if (snap.head !== undefined) this.head = snap.head;
  }

  get journalBytes(): number {
    return this.#journalBytes;
  }

  get crc(): string {
    return this.#crc;
  }

  get data(): unknown {
    return (this.#parsed ??= { value: this.#again() }).value;
  }

  #again(): unknown {
    const now = readSnapshot(this.#file, false);
    if (!now || now.seq !== this.seq || now.crc !== this.#crc) throw new Error(`the snapshot cache ${this.#file} was replaced or damaged while it was read; read the run again`);
    return now.data;
  }
}

/** A load served from the snapshot, with where the journal's valid records end. */
export interface FastLoad {
  /** The snapshot itself (its data still unparsed when read so). */
  snapshot: SnapshotFile;
  tail: JournalRecord[];
  /** Unreadable bytes at the end that a crash can explain. */
  torn?: { offset: number; bytes: number; reason: string };
  lastSeq: number;
  lastCrc: string;
  /** Length of the valid prefix of the journal. */
  validBytes: number;
}

/**
 * One read buffer for every synchronous read here, grown when a file needs more: resume
 * reads 10,000 snapshots and journal ends, and a fresh 64 KiB buffer for each was most of
 * its garbage. Safe because every caller decodes what it read before the next read.
 */
let scratch = Buffer.allocUnsafe(64 * 1024);

/** Reads from `position` to the end of the file into the shared buffer; a short read tells the size, so no fstat. */
function readToEnd(fd: number, position: number): Buffer {
  let buf = scratch;
  let got = 0;
  for (;;) {
    if (got === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 4);
      buf.copy(bigger, 0, 0, got);
      buf = scratch = bigger;
    }
    const want = buf.length - got;
    const n = readSync(fd, buf, got, want, position + got);
    got += n;
    // A regular file reads short only at its end: one syscall fewer than reading until 0.
    if (n < want) return buf.subarray(0, got);
  }
}

/**
 * Loads a run from its snapshot plus only the journal bytes after it, in one read of the
 * journal's end. The snapshot is used only if the journal still has record `seq`, with the
 * same checksum, ending exactly at `journalBytes`; else (or on any damage after it)
 * undefined, and the caller reads the whole journal.
 *
 * Synchronous on purpose: resume loads thousands of runs and each load is a handful of
 * small reads, where the promise API's per-call cost dominates (about 3x slower).
 */
export function loadFromSnapshot(journalFile: string, snap: SnapshotFile): FastLoad | undefined {
  const fd = openSync(journalFile, 'r');
  try {
    const jb = snap.journalBytes;
    for (let window = 4096; ; window *= 4) {
      const start = Math.max(0, jb - window);
      const buf = readToEnd(fd, start);
      const size = start + buf.length;
      const rel = jb - start;
      if (jb > size || buf[rel - 1] !== NL) return undefined;
      const prev = buf.lastIndexOf(NL, rel - 2);
      // The snapshot's record is longer than the window: look further back.
      if (prev === -1 && start > 0) continue;
      const last = recordIdOf(buf.subarray(prev + 1, rel - 1));
      if (!last || last.crc !== snap.crc || last.seq !== snap.seq) return undefined;
      const scan = scanFrames(buf.subarray(rel), jb, snap.seq + 1);
      if (scan.corrupt) return undefined;
      return {
        snapshot: snap,
        tail: scan.records,
        ...(scan.torn ? { torn: scan.torn } : {}),
        lastSeq: snap.seq + scan.records.length,
        lastCrc: scan.lastCrc ?? snap.crc,
        validBytes: scan.torn ? scan.torn.offset : size,
      };
    }
  } finally {
    closeSync(fd);
  }
}
