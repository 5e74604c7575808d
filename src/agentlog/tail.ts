import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** The log from its `n`-th last `## ` heading on (all of it when it has fewer). */
export function lastEntries(text: string, n: number): string {
  const starts: number[] = [];
  for (const m of text.matchAll(/^## /gm)) starts.push(m.index);
  return starts.length > n ? text.slice(starts[starts.length - n]) : text;
}

/** What the first read of a log's end takes; it doubles until it holds the entries asked for. */
export const TAIL_BYTES = 64 * 1024;

/**
 * `lastEntries` of the file's text, reading only as much of its end as holds those
 * entries: what comes before the `n`-th last heading is never read, so a long log costs
 * a task no more than its last entries. Throws what reading the file throws. Read
 * synchronously, like the engine's other small reads (docs/DESIGN.md §4, "Speed"): a
 * log's end just written is in memory, and four round trips through the thread pool
 * waited there behind the replies' fsyncs before (1–6 ms per handoff, under load).
 */
export async function readLastEntries(file: string, n: number, first = TAIL_BYTES): Promise<string> {
  // Not blocked on a FIFO planted in its place (opening one to read waits for a writer): refused.
  const handle = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(handle);
    if (!st.isFile()) throw new Error(`${file} is not a regular file; put the agent log itself there`);
    const { size } = st;
    for (let want = first; ; want *= 2) {
      const pos = Math.max(0, size - want);
      const buf = Buffer.alloc(size - pos);
      let got = 0;
      while (got < buf.length) {
        const bytesRead = readSync(handle, buf, got, buf.length - got, pos + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      const bytes = buf.subarray(0, got);
      if (pos === 0) return lastEntries(bytes.toString('utf8'), n);
      const starts = headingStarts(bytes);
      if (starts.length > n) return bytes.toString('utf8', starts[starts.length - n]);
    }
  } finally {
    closeSync(handle);
  }
}

const HASHES = Buffer.from('## ');

/**
 * Offsets of `## ` at a line start in bytes read from inside a file, as `^## ` with the m
 * flag finds them in its text: after \n, \r, U+2028 or U+2029. One too near the start to
 * see what precedes it is left for a longer read.
 */
function headingStarts(bytes: Buffer): number[] {
  const starts: number[] = [];
  for (let at = bytes.indexOf(HASHES, 1); at !== -1; at = bytes.indexOf(HASHES, at + 1)) {
    const b = bytes[at - 1];
    if (b === 0x0a || b === 0x0d) starts.push(at);
    else if (at >= 3 && bytes[at - 3] === 0xe2 && bytes[at - 2] === 0x80 && (b === 0xa8 || b === 0xa9)) starts.push(at);
  }
  return starts;
}
