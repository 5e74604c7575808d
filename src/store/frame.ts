import { crc32 } from 'node:zlib';
import type { JournalRecord } from './types.js';

/**
 * One journal line is `{"c":"<crc32 hex>","p":<payload>}\n`: still JSON for people and
 * jq, and the payload's bytes sit at a fixed offset so the checksum is verified on the
 * exact bytes written, without re-serializing.
 */
const HEAD = Buffer.from('{"c":"');
const MID = Buffer.from('","p":');
const PAYLOAD_AT = HEAD.length + 8 + MID.length;
const CLOSE = 0x7d; // }
export const NL = 0x0a;

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

/** The framed line (with its newline) of a JSON object. Throws for values JSON cannot hold. */
export function encodeFrame(payload: object): string {
  const p = JSON.stringify(payload);
  if (typeof p !== 'string') throw new TypeError('journal payload must be JSON-serializable');
  return `{"c":"${hex8(crc32(p))}","p":${p}}\n`;
}

/**
 * The framed line of a JSON object as bytes, and its checksum: byte for byte
 * `Buffer.from(encodeFrame(payload))`, with the payload encoded once (into a scratch
 * buffer big enough for any UTF-8 of it, then copied out at its size) and checksummed
 * there: no UTF-8 copy for the checksum, none of the whole line.
 */
export function encodeFrameBytes(payload: object): { bytes: Buffer; crc: string } {
  const p = JSON.stringify(payload);
  if (typeof p !== 'string') throw new TypeError('journal payload must be JSON-serializable');
  // A UTF-16 code unit is at most 3 bytes of UTF-8.
  const most = PAYLOAD_AT + p.length * 3 + 2;
  // A rare huge record gets a buffer of its own rather than a scratch buffer kept that big.
  const into = most <= SCRATCH_MAX ? (scratch.length >= most ? scratch : (scratch = frameScratch(Math.max(most, scratch.length * 2)))) : frameScratch(most);
  const length = into.write(p, PAYLOAD_AT, 'utf8');
  const crc = hex8(crc32(into.subarray(PAYLOAD_AT, PAYLOAD_AT + length)));
  into.write(crc, HEAD.length, 8, 'latin1');
  into[PAYLOAD_AT + length] = CLOSE;
  into[PAYLOAD_AT + length + 1] = NL;
  const bytes = Buffer.allocUnsafe(PAYLOAD_AT + length + 2);
  into.copy(bytes, 0, 0, bytes.length);
  return { bytes, crc };
}

/**
 * The framed lines of several payloads as one buffer (what one append writes), and the
 * last one's checksum. A function of its own: records of a kind the caller had not met
 * yet (a lifecycle's later records) recompile this, not the append around it.
 */
export function encodeFrames(payloads: readonly object[]): { bytes: Buffer; crc: string } {
  if (payloads.length === 1) return encodeFrameBytes(payloads[0]!);
  const parts: Buffer[] = [];
  let crc = '';
  for (const p of payloads) {
    const line = encodeFrameBytes(p);
    parts.push(line.bytes);
    crc = line.crc;
  }
  return { bytes: Buffer.concat(parts), crc };
}

const SCRATCH_MAX = 4 * 1024 * 1024;

/** Where {@link encodeFrameBytes} encodes: its head and middle are always the same. */
let scratch = frameScratch(64 * 1024);
function frameScratch(size: number): Buffer {
  const buf = Buffer.allocUnsafeSlow(size);
  HEAD.copy(buf, 0);
  MID.copy(buf, HEAD.length + 8);
  return buf;
}

/** The payload's JSON bytes of a line made by {@link encodeFrame} (without its newline), already checked by {@link decodeFrame}. */
export const framePayload = (line: Buffer): Buffer => line.subarray(PAYLOAD_AT, line.length - 1);

/** The payload's JSON bytes of a line (without its newline) once its frame and checksum check, unparsed; undefined when they do not. */
export function checkedPayload(line: Buffer): Buffer | undefined {
  const check = checkFrame(line);
  return check.ok ? check.payload : undefined;
}

/** The checksum (8 hex digits) of a line made by {@link encodeFrame}: it names the record exactly. */
export const frameCrc = (line: string): string => line.slice(HEAD.length, HEAD.length + 8);

export type FrameCheck = { ok: true; value: unknown; crc: string } | { ok: false; reason: string };

/** Checks one line's frame and checksum (without its newline), without parsing its payload. */
function checkFrame(buf: Buffer): { ok: true; crc: string; payload: Buffer } | { ok: false; reason: string } {
  if (
    buf.length < PAYLOAD_AT + 2 ||
    !buf.subarray(0, HEAD.length).equals(HEAD) ||
    !buf.subarray(HEAD.length + 8, PAYLOAD_AT).equals(MID) ||
    buf[buf.length - 1] !== CLOSE
  ) {
    return { ok: false, reason: 'not a journal line' };
  }
  const want = buf.toString('latin1', HEAD.length, HEAD.length + 8);
  const payload = buf.subarray(PAYLOAD_AT, buf.length - 1);
  if (hex8(crc32(payload)) !== want) return { ok: false, reason: 'checksum mismatch' };
  return { ok: true, crc: want, payload };
}

/** Checks and parses one line (without its newline). */
export function decodeFrame(line: Uint8Array): FrameCheck {
  const check = checkFrame(Buffer.from(line.buffer, line.byteOffset, line.byteLength));
  if (!check.ok) return check;
  try {
    return { ok: true, value: JSON.parse(check.payload.toString('utf8')), crc: check.crc };
  } catch {
    return { ok: false, reason: 'bad JSON' };
  }
}

/** A record's payload as written by the engine: its seq first. */
const SEQ_FIRST = /^\{"seq":([1-9][0-9]{0,15})[,}]/;

/**
 * The checksum and seq of a record's line, reading no more of the payload than its start
 * when the record names its seq first (else it is parsed): what proves a snapshot's record
 * is still the journal's, without decoding it. Undefined for a line that does not check.
 */
export function recordIdOf(line: Uint8Array): { crc: string; seq: number } | undefined {
  const check = checkFrame(Buffer.from(line.buffer, line.byteOffset, line.byteLength));
  if (!check.ok) return undefined;
  const head = SEQ_FIRST.exec(check.payload.toString('latin1', 0, Math.min(check.payload.length, 32)));
  if (head) return { crc: check.crc, seq: Number(head[1]) };
  const full = decodeFrame(line);
  return full.ok && isRecord(full.value) ? { crc: full.crc, seq: full.value.seq } : undefined;
}

/** Whether a parsed payload is a journal record (an object with a positive integer seq). */
export function isRecord(value: unknown): value is JournalRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const seq = (value as { seq?: unknown }).seq;
  return typeof seq === 'number' && Number.isInteger(seq) && seq >= 1;
}

/** A scan of journal bytes. */
export interface Scan {
  records: JournalRecord[];
  /** End offset (exclusive, absolute) of each record, parallel to `records`. */
  ends: number[];
  /** Checksum of the last record, which identifies it (see SnapshotFile.crc). */
  lastCrc?: string;
  /** Unreadable bytes at the end that a crash can explain. */
  torn?: { offset: number; bytes: number; reason: string };
  /** Damage a crash cannot explain: a bad line with good ones after it, or a seq gap/repeat. */
  corrupt?: { line: number; offset: number; reason: string };
}

/**
 * Splits journal bytes into records. `base` is the absolute offset of `buf[0]`, `firstLine`
 * its line number and `nextSeq` the seq the first record must have. Unreadable lines at
 * the end are a torn tail; an unreadable line followed by a good one is corruption.
 */
export function scanFrames(buf: Buffer, base = 0, nextSeq = 1, firstLine = 1): Scan {
  const records: JournalRecord[] = [];
  const ends: number[] = [];
  let bad: { line: number; at: number; reason: string } | undefined;
  let lastCrc: string | undefined;
  let pos = 0;
  let line = firstLine;
  while (pos < buf.length) {
    const nl = buf.indexOf(NL, pos);
    if (nl === -1) {
      bad ??= { line, at: pos, reason: 'no trailing newline (interrupted write)' };
      break;
    }
    const check = decodeFrame(buf.subarray(pos, nl));
    if (check.ok) {
      const corrupt = (reason: string): Scan => ({ records, ends, corrupt: { line, offset: base + pos, reason } });
      if (bad) {
        return { records, ends, corrupt: { line: bad.line, offset: base + bad.at, reason: `${bad.reason}, yet line ${line} after it is intact` } };
      }
      if (!isRecord(check.value)) return corrupt('record has no positive integer "seq"');
      if (check.value.seq !== nextSeq) {
        return corrupt(`seq ${check.value.seq} where ${nextSeq} was expected (${check.value.seq < nextSeq ? 'repeat' : 'gap'})`);
      }
      records.push(check.value);
      ends.push(base + nl + 1);
      lastCrc = check.crc;
      nextSeq++;
    } else {
      bad ??= { line, at: pos, reason: check.reason };
    }
    pos = nl + 1;
    line++;
  }
  const found = lastCrc === undefined ? { records, ends } : { records, ends, lastCrc };
  if (!bad) return found;
  return { ...found, torn: { offset: base + bad.at, bytes: buf.length - bad.at, reason: bad.reason } };
}
