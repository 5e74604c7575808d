import { closeSync, openSync, promises as fs, writeSync } from 'node:fs';
import { fd } from '../workspace/fd.js';

/**
 * The finished-runs index: one run id a line, appended when a run finishes, so listing the
 * unfinished runs of a workspace with 10,000 of them costs one read, not one per run.
 * It is a cache like the snapshot: losing it only makes finished runs look unfinished
 * until their journals are read.
 */
export async function addFinished(file: string, runId: string, fsync: boolean): Promise<void> {
  // One short line into the page cache: synchronous (docs/DESIGN.md §4, "Speed").
  const handle = openSync(file, 'a');
  try {
    writeSync(handle, `${runId}\n`);
    if (fsync) await fd.sync(handle);
  } finally {
    closeSync(handle);
  }
}

/** The ids in the index; a torn last line (no newline) is ignored: that run just looks unfinished. */
export async function readFinished(file: string): Promise<Set<string>> {
  const text = await fs.readFile(file, 'utf8').catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  });
  const lines = text.split('\n');
  lines.pop();
  return new Set(lines);
}
