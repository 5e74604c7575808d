import { constants, promises as fs, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { RUN_FILES, segmentProblem } from '../workspace/paths.js';
import { fsyncDir, writeFileAtomic } from '../workspace/atomic.js';
import { cutTail, readRecordEndingAt, scanJournal, writeAll } from './journal-file.js';
import { readWal, type WalDamage, type WalEntry } from './wal.js';

/**
 * Brings every journal up to date with a write-ahead log left by a crash (its entries
 * were acknowledged, the journals maybe not yet fsynced), then empties the log. A torn
 * journal tail is cut off (kept in `journal.torn.<offset>`) before the records are re-added.
 * A log damaged before its end is kept aside first (`.wal.jsonl.damaged`), reported with
 * what to do, and replayed around the damage; a run whose journal then has a hole is left
 * for the engine to quarantine alone (docs/DESIGN.md §4). Returns the ids of the runs it
 * looked at.
 */
export async function recoverFromWal(
  walFile: string,
  runsDir: string,
  journalOf: (runId: string) => { dir: string; journal: string },
  fsync: boolean,
  warn: (line: string) => void = () => undefined,
): Promise<string[]> {
  await refuseLink(walFile);
  const { entries, damage } = await readWal(walFile);
  const byRun = new Map<string, WalEntry[]>();
  for (const e of entries) byRun.set(e.runId, [...(byRun.get(e.runId) ?? []), e]);
  const holes = new Map<string, string>();
  const ends = new Map<string, number>();
  for (const [runId, list] of byRun) {
    const { hole, lastSeq } = await recoverRun(journalOf(runId), list, fsync);
    ends.set(runId, lastSeq);
    if (hole) holes.set(runId, hole);
  }
  if (fsync && byRun.size > 0) {
    for (const runId of byRun.keys()) await fsyncDir(journalOf(runId).dir);
    await fsyncDir(runsDir);
  }
  const damaged = damage.filter((d) => d.intactAfter);
  // Bytes the replay could not use stay where a person can look at them before the log is emptied.
  const kept = damaged.length > 0 || holes.size > 0 ? await keepAside(walFile, fsync) : undefined;
  for (const d of damage) {
    // A damaged entry whose run is known: said when its journal stops short of it.
    const end = d.runId !== undefined && d.seqs ? (ends.get(d.runId) ?? (await lastSeqOf(journalOf(d.runId).journal))) : undefined;
    const short = end !== undefined && d.seqs && end < d.seqs.last && !holes.has(d.runId!) ? d : undefined;
    warn(damageReport(walFile, d, kept, [...holes].map(([id, h]) => `run ${id} (${h})`), short && end !== undefined ? { runId: short.runId!, end } : undefined));
  }
  if (damaged.length === 0) {
    for (const [runId, hole] of holes) {
      warn(
        `run ${runId}: its journal lacks ${hole}, which the write-ahead log ${walFile} does not hold (the journal was cut or emptied by something else since the log's last checkpoint). ` +
          `The log's later records were added after the gap, so nothing it held is lost, and the run is quarantined alone; the log as found is kept in ${kept}. Restore the journal from a backup, or move the run's folder aside to drop it`,
      );
    }
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

/** The line a person reads about one damaged spot: where, what it means, and what to do. */
function damageReport(walFile: string, d: WalDamage, kept: string | undefined, holes: string[], short: { runId: string; end: number } | undefined): string {
  const entry = d.runId !== undefined && d.seqs ? `, in the entry of run ${d.runId} records ${d.seqs.first}–${d.seqs.last}` : '';
  if (!d.intactAfter) {
    return `the write-ahead log ${walFile} ends in ${d.bytes} unreadable bytes at byte ${d.offset}${entry}: the last batch, cut by a crash before it was acknowledged, so nothing is lost and nothing needs doing`;
  }
  const missing = [
    ...(holes.length ? [`records the log lost there are missing from ${holes.join(', ')}: each such run is quarantined alone and the rest start; restore its journal from a backup (or move its folder aside to drop it)`] : []),
    ...(short ? [`run ${short.runId}'s journal ends at record ${short.end}, before that entry's end: look at it with \`teamstate show ${short.runId}\`, and restore its journal from a backup if it lacks what it was told`] : []),
  ];
  const what = missing.length ? missing.join('; ') : 'every journal the log names continues past it, so no record is missing and nothing needs doing';
  return `the write-ahead log ${walFile} is damaged: ${d.bytes} unreadable bytes at byte ${d.offset}${entry}, with intact entries after them (damage, not a crash). The entries after it were replayed, and the log as found is kept in ${kept}. ${what}; then ${kept} may be deleted`;
}

/** The seq of a journal's last good record (0 when it is missing or empty). */
async function lastSeqOf(journal: string): Promise<number> {
  const scan = await scanJournal(journal).catch(() => undefined);
  return scan?.records.length ?? 0;
}

/** The log is read and emptied in place: a link there would have it truncate a file elsewhere. */
async function refuseLink(walFile: string): Promise<void> {
  const st = await fs.lstat(walFile).catch(() => undefined);
  if (!st || st.isFile()) return;
  const what = st.isSymbolicLink() ? `a symbolic link (to ${await fs.readlink(walFile).catch(() => '?')})` : 'not a regular file';
  throw new UserError(`the write-ahead log ${walFile} is ${what}; teamstate writes nothing through a link: move it aside (it may hold a crashed engine's last records: look at it first) and start again`);
}

/** Copies the log as found to `<log>.damaged` (or `.damaged.1`, …), so emptying it loses none of its bytes. */
async function keepAside(walFile: string, fsync: boolean): Promise<string> {
  const data = await fs.readFile(walFile);
  for (let n = 0; ; n++) {
    const name = n === 0 ? `${walFile}.damaged` : `${walFile}.damaged.${n}`;
    const exists = await fs.lstat(name).then(() => true, () => false);
    if (exists) continue;
    await writeFileAtomic(name, data, { fsync });
    return name;
  }
}

/**
 * Re-adds what the journal is missing of `entries`; returns its last seq after, and a
 * description of a hole when the log does not hold records the journal lacks (the log
 * was damaged there, or the journal cut by something else). The records after a hole
 * are still appended: nothing the log held is lost, and the journal's seq gap makes the
 * store refuse that run alone (the engine quarantines it) rather than fork it.
 */
async function recoverRun({ dir, journal }: { dir: string; journal: string }, entries: WalEntry[], fsync: boolean): Promise<{ hole?: string; lastSeq: number }> {
  await fs.mkdir(dir, { recursive: true });
  const open = () => fs.open(journal, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW);
  let fh = await open();
  let hole: string | undefined;
  let lastSeq = 0;
  try {
    let size = (await fh.stat()).size;
    const last = await readRecordEndingAt(fh, size);
    if (last.ok) {
      lastSeq = last.seq;
    } else {
      await fh.close();
      const scan = await scanJournal(journal);
      if (scan.torn) await cutTail(journal, scan.torn.offset, fsync);
      lastSeq = scan.records.length;
      fh = await open();
      size = (await fh.stat()).size;
    }
    for (const e of entries) {
      if (e.lastSeq <= lastSeq) continue;
      let from = lastSeq + 1;
      if (e.firstSeq > lastSeq + 1) {
        hole ??= `records ${lastSeq + 1}–${e.firstSeq - 1} of ${path.basename(dir)}/${path.basename(journal)}`;
        from = e.firstSeq;
      }
      const lines = e.lines.split('\n').slice(from - e.firstSeq, -1);
      const data = Buffer.from(lines.map((l) => `${l}\n`).join(''));
      await writeAll(fh, data);
      size += data.length;
      lastSeq = e.lastSeq;
    }
    if (fsync) await fh.sync();
    return { ...(hole ? { hole } : {}), lastSeq };
  } finally {
    await fh.close();
  }
}

/**
 * A workspace with runs but no write-ahead log: it was deleted (a clean stop leaves it
 * empty, not gone), so what a crashed engine acknowledged last may be missing from the
 * journals. Said, not guessed at: each run whose journal is short is found on its own.
 */
export async function warnIfWalMissing(walFile: string, runsDir: string, warn: ((line: string) => void) | undefined): Promise<void> {
  if (!warn || statSync(walFile, { throwIfNoEntry: false })) return;
  const entries = await fs.readdir(runsDir, { withFileTypes: true });
  const hasRecords = (d: Dirent) => d.isDirectory() && segmentProblem(d.name) === undefined && (statSync(path.join(runsDir, d.name, RUN_FILES.journal), { throwIfNoEntry: false })?.size ?? 0) > 0;
  if (!entries.some(hasRecords)) return;
  warn(
    `the write-ahead log ${walFile} is missing although runs exist: if an engine crashed here, what it acknowledged last may be missing from the runs' journals and cannot be brought back; ` +
      'check their states with `teamstate runs` (a journal left damaged is quarantined with its reason). If the log was removed after a clean stop, or this workspace ran with fsync off until now, nothing is wrong. A new log is started',
  );
}
