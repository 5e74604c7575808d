import { closeSync, fsync, writeSync } from 'node:fs';
import { promisify } from 'node:util';

/**
 * File descriptors as plain numbers, for the writes every reply makes (staging, folder
 * fsyncs, atomic writes): cheaper than `fs.promises` FileHandles, which the engine would
 * otherwise allocate and have the garbage collector track several times per message.
 * Only fsync, which waits for the disk, goes to libuv's thread pool; what works in the
 * page cache (opening or making a file, a write of a few KB, a close) is synchronous: its
 * CPU is the same either way, and a round trip through the pool costs more on top of it
 * than the call itself (measured: docs/DESIGN.md §4, "Speed"). Open with `openSync` (a staged
 * reply made when no spare is ready is the exception: deliver.ts); callers close what they
 * open (in a `finally`).
 */
export const fd = {
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
