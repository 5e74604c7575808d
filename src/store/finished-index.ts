import { promises as fs } from 'node:fs';

/**
 * The finished-runs index: one run id a line, appended when a run finishes, so listing the
 * unfinished runs of a workspace with 10,000 of them costs one read, not one per run.
 * It is a cache like the snapshot: losing it only makes finished runs look unfinished
 * until their journals are read.
 */
export async function addFinished(file: string, runId: string, fsync: boolean): Promise<void> {
  const fh = await fs.open(file, 'a');
  try {
    await fh.write(`${runId}\n`);
    if (fsync) await fh.sync();
  } finally {
    await fh.close();
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
