import { close, fsync, open, write } from 'node:fs';
import { promisify } from 'node:util';

/**
 * File descriptors as plain numbers, for the writes every reply makes (staging, folder
 * fsyncs, atomic writes): cheaper than `fs.promises` FileHandles, which the engine would
 * otherwise allocate and have the garbage collector track several times per message.
 * Callers close what they open (in a `finally`).
 */
export const fd = {
  open: promisify(open) as (path: string, flags: string | number, mode?: number) => Promise<number>,
  write: promisify(write) as unknown as (fd: number, data: Uint8Array) => Promise<{ bytesWritten: number }>,
  sync: promisify(fsync),
  close: promisify(close),
};

/** Writes all of `data` at the descriptor's position (a short write goes on where it stopped). */
export async function writeAll(handle: number, data: string | Uint8Array): Promise<void> {
  let buf = typeof data === 'string' ? Buffer.from(data) : data;
  while (buf.byteLength > 0) {
    const { bytesWritten } = await fd.write(handle, buf);
    buf = buf.subarray(bytesWritten);
  }
}
