import { promises as fs } from 'node:fs';
import { fsyncDir } from '../workspace/atomic.js';
import { JournalCorruptError } from './errors.js';
import { cutTail, readRecordEndingAt, scanJournal, writeAll } from './journal-file.js';
import { readWal, type WalEntry } from './wal.js';

/**
 * Brings every journal up to date with a write-ahead log left by a crash (its entries
 * were acknowledged, the journals maybe not yet fsynced), then empties the log. A torn
 * journal tail is cut off (kept in `journal.torn.<offset>`) before the records are re-added.
 * Returns the ids of the runs it looked at.
 */
export async function recoverFromWal(
  walFile: string,
  runsDir: string,
  journalOf: (runId: string) => { dir: string; journal: string },
  fsync: boolean,
  warn: (line: string) => void = () => undefined,
): Promise<string[]> {
  const entries = await readWal(walFile, (d) =>
    warn(
      d.intactAfter
        ? `the write-ahead log ${walFile} is damaged at byte ${d.offset} with intact entries after it: records acknowledged after that point may be missing from their journals (each such run is quarantined when its journal does not continue)`
        : `the write-ahead log ${walFile} ends in ${d.bytes} unreadable bytes at byte ${d.offset}: a batch cut by a crash, never acknowledged, so nothing is lost`,
    ),
  );
  const byRun = new Map<string, WalEntry[]>();
  for (const e of entries) byRun.set(e.runId, [...(byRun.get(e.runId) ?? []), e]);
  for (const [runId, list] of byRun) await recoverRun(journalOf(runId), list, fsync);
  if (fsync && byRun.size > 0) {
    for (const runId of byRun.keys()) await fsyncDir(journalOf(runId).dir);
    await fsyncDir(runsDir);
  }
  const fh = await fs.open(walFile, 'a');
  try {
    await fh.truncate(0);
    if (fsync) await fh.sync();
  } finally {
    await fh.close();
  }
  return [...byRun.keys()];
}

async function recoverRun({ dir, journal }: { dir: string; journal: string }, entries: WalEntry[], fsync: boolean): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  let fh = await fs.open(journal, 'a+');
  try {
    let size = (await fh.stat()).size;
    const last = await readRecordEndingAt(fh, size);
    let lastSeq: number;
    if (last.ok) {
      lastSeq = last.seq;
    } else {
      await fh.close();
      const scan = await scanJournal(journal);
      if (scan.torn) await cutTail(journal, scan.torn.offset, fsync);
      lastSeq = scan.records.length;
      fh = await fs.open(journal, 'a+');
      size = (await fh.stat()).size;
    }
    for (const e of entries) {
      if (e.lastSeq <= lastSeq) continue;
      if (e.firstSeq > lastSeq + 1) {
        throw new JournalCorruptError(journal, lastSeq + 1, size, `records ${lastSeq + 1} to ${e.firstSeq - 1} are missing and the write-ahead log does not hold them`);
      }
      const lines = e.lines.split('\n').slice(lastSeq + 1 - e.firstSeq, -1);
      const data = Buffer.from(lines.map((l) => `${l}\n`).join(''));
      await writeAll(fh, data);
      size += data.length;
      lastSeq = e.lastSeq;
    }
    if (fsync) await fh.sync();
  } finally {
    await fh.close();
  }
}
