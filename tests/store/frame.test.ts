import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, encodeFrameBytes, encodeFrames, scanFrames } from '../../src/store/frame.js';

const journal = (n: number): Buffer =>
  Buffer.from(Array.from({ length: n }, (_, i) => encodeFrame({ seq: i + 1, text: `rec ${i} ✓ ${'é'.repeat(i)}` })).join(''));

describe('journal framing', () => {
  it('round-trips any JSON object with a seq, byte for byte checked', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.integer({ min: 1, max: 1e9 }), (obj, seq) => {
        const rec = { ...obj, seq };
        const line = encodeFrame(rec);
        expect(line.endsWith('\n')).toBe(true);
        expect(line.indexOf('\n')).toBe(line.length - 1);
        const check = decodeFrame(Buffer.from(line.slice(0, -1)));
        expect(check.ok && check.value).toEqual(JSON.parse(JSON.stringify(rec)));
      }),
    );
  });

  it('encodes a line as bytes exactly as the text line reads in UTF-8, checksum included, small or huge', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue()), fc.integer({ min: 1, max: 1e9 }), (obj, seq) => {
        const rec = { seq, ...obj };
        const line = encodeFrame(rec);
        const { bytes, crc } = encodeFrameBytes(rec);
        expect(bytes.equals(Buffer.from(line))).toBe(true);
        expect(crc).toBe(line.slice(6, 14));
      }),
    );
    // Past the scratch buffer (4 MiB): a buffer of its own, then the scratch buffer again.
    for (const rec of [{ seq: 1, big: '€'.repeat(2_000_000) }, { seq: 2, text: 'after ✓' }, { seq: 3, lone: '\ud800 x \udfff' }]) {
      expect(encodeFrameBytes(rec).bytes.equals(Buffer.from(encodeFrame(rec)))).toBe(true);
    }
  });

  it("encodes several records as their lines one after another, with the last one's checksum, however many and of whatever kinds", () => {
    fc.assert(
      fc.property(fc.array(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue()), { minLength: 1, maxLength: 6 }), (objs) => {
        const recs = objs.map((o, i) => ({ ...o, seq: i + 1 }));
        const lines = recs.map((r) => encodeFrame(r));
        const { bytes, crc } = encodeFrames(recs);
        expect(bytes.equals(Buffer.from(lines.join('')))).toBe(true);
        expect(crc).toBe(lines.at(-1)!.slice(6, 14));
        expect(scanFrames(bytes).records).toEqual(JSON.parse(JSON.stringify(recs)));
      }),
    );
  });

  it('reads a journal cut at any byte as its whole lines plus a torn tail, never as corruption', () => {
    const buf = journal(6);
    const ends = scanFrames(buf).ends;
    for (let cut = 0; cut <= buf.length; cut++) {
      const scan = scanFrames(buf.subarray(0, cut));
      const whole = ends.filter((e) => e <= cut).length;
      expect(scan.corrupt).toBeUndefined();
      expect(scan.records).toHaveLength(whole);
      const boundary = cut === 0 || ends.includes(cut);
      expect(scan.torn === undefined).toBe(boundary);
      if (scan.torn) expect(scan.torn).toMatchObject({ offset: ends[whole - 1] ?? 0, bytes: cut - (ends[whole - 1] ?? 0) });
    }
  });

  it('reports any changed byte inside an earlier line as corruption of that line', () => {
    const buf = journal(4);
    const [end1, end2] = scanFrames(buf).ends as [number, number];
    fc.assert(
      fc.property(fc.integer({ min: end1, max: end2 - 2 }), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const copy = Buffer.from(buf);
        copy[at] = (copy[at] as number) ^ xor;
        fc.pre(copy[at] !== 0x0a);
        const scan = scanFrames(copy);
        expect(scan.corrupt?.line).toBe(2);
        expect(scan.records).toHaveLength(1);
      }),
    );
  });
});
