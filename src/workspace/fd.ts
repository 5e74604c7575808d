import { closeSync, fsync, open, writeSync } from 'node:fs';
import { promisify } from 'node:util';

/**
 * File descriptors as plain numbers, for the writes every reply makes (staging, folder
 * fsyncs, atomic writes): cheaper than `fs.promises` FileHandles, which the engine would
 * otherwise allocate and have the garbage collector track several times per message.
 * What takes the disk's time (making a file, fsync) goes to libuv's thread pool; what
 * only touches the page cache (a write of a few KB, a close) is synchronous: a few
 * microseconds, several times less than a round trip through the pool (docs/DESIGN.md §4).
 * Callers close what they open (in a `finally`).
 */
export const fd = {
  open: promisify(open) as (path: string, flags: string | number, mode?: number) => Promise<number>,
  sync: promisify(fsync),
  close: (handle: number): void => closeSync(handle),
};

/** Writes all of `data` at the descriptor's position (a short write goes on where it stopped). */
export function writeAll(handle: number, data: string | Uint8Array): void {
  let buf = typeof data === 'string' ? Buffer.from(data) : data;
  while (buf.byteLength > 0) {
    const bytesWritten = writeSync(handle, buf);
    buf = buf.subarray(bytesWritten);
  }
}
