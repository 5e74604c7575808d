import { promises as fs, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../workspace/atomic.js';
import { segmentProblem } from '../workspace/paths.js';
import { scanFrames } from './frame.js';
import { readSnapshot } from './snapshot.js';
import type { JournalRecord } from './types.js';

/** Where quarantine notes live: `runs/.quarantine/<run-id>.json`, beside (not inside) the run folders. */
export const QUARANTINE_DIR = '.quarantine';

/** Why a run takes no more messages, and what the engine last knew of it. */
export interface QuarantineNote {
  runId: string;
  reason: string;
  at: number;
  /** The run's last known state (the engine's, or the journal's last good record), if any. */
  state?: unknown;
}

const noteFile = (runsDir: string, runId: string): string => path.join(runsDir, QUARANTINE_DIR, `${runId}.json`);

/**
 * Writes the note, so that `runs`, `show` and the next start see the quarantine even when
 * the run's folder (or all of runs/) is gone. Never follows the run folder: it may be the
 * damaged part.
 */
export async function writeQuarantine(runsDir: string, note: QuarantineNote, fsync: boolean): Promise<void> {
  await fs.mkdir(path.join(runsDir, QUARANTINE_DIR), { recursive: true });
  await writeFileAtomic(noteFile(runsDir, note.runId), `${JSON.stringify(note)}\n`, { fsync });
}

/** Drops the note (its run's journal reads well again: a person restored it). */
export async function clearQuarantine(runsDir: string, runId: string): Promise<void> {
  await fs.rm(noteFile(runsDir, runId), { force: true });
}

/** Every quarantine note, by run id; a note that cannot be read still quarantines its run. */
export async function readQuarantines(runsDir: string): Promise<Map<string, QuarantineNote>> {
  const dir = path.join(runsDir, QUARANTINE_DIR);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const out = new Map<string, QuarantineNote>();
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const runId = name.slice(0, -'.json'.length);
    if (segmentProblem(runId)) continue;
    const note = await fs
      .readFile(path.join(dir, name), 'utf8')
      .then((t) => JSON.parse(t) as QuarantineNote)
      .catch((e: Error) => ({ runId, reason: `its quarantine note ${path.join(dir, name)} is unreadable (${e.message})`, at: 0 }));
    out.set(runId, { ...note, runId });
  }
  return out;
}

/**
 * Run folders whose journal is missing or empty although the run had records (its snapshot
 * cache says so, or the `finished` marker older versions left): a journal deleted or emptied by hand. A folder with an
 * empty journal and nothing else is a run whose first record a crash cut, not damage.
 * `known`: runs just read from a journal with records (the engine's start), not stat'ed again.
 */
export async function damagedRunFolders(runsDir: string, known?: { has(runId: string): boolean }): Promise<{ runId: string; reason: string }[]> {
  // Names only, not typed entries (10,000 of those were kept through the yields below): what is
  // not a folder has no journal in it, and is skipped as a folder without records is.
  const names = await fs.readdir(runsDir).catch(() => [] as string[]);
  const out: { runId: string; reason: string }[] = [];
  for (const [i, name] of names.entries()) {
    // One stat a run folder, in sync calls (a few microseconds each, three times faster than promises): 10,000 runs are checked on every start.
    if (i % STAT_CHUNK === STAT_CHUNK - 1) await new Promise((resolve) => setImmediate(resolve));
    // A run just read from its journal (the engine's start) has one with records: not stat'ed again.
    if (known?.has(name) || segmentProblem(name)) continue;
    const dir = path.join(runsDir, name);
    const journal = statOrUndefined(path.join(dir, 'journal.jsonl'));
    if (journal && journal.size > 0) continue;
    const hadRecords = ['snapshot.json', 'finished'].some((f) => statOrUndefined(path.join(dir, f)) !== undefined);
    if (!hadRecords) continue;
    out.push({ runId: name, reason: journal ? `its journal ${path.join(dir, 'journal.jsonl')} is empty` : `its journal ${path.join(dir, 'journal.jsonl')} is missing` });
  }
  return out;
}

/** Run folders checked between two yields to the event loop. */
const STAT_CHUNK = 1000;

/** A file's stat, or undefined when it cannot be had (missing, unreadable): as good as missing here. */
function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** The records of a journal before its first damaged line: what can still be shown of a corrupt run. */
export async function goodRecords(journalFile: string): Promise<JournalRecord[]> {
  const buf = await fs.readFile(journalFile).catch(() => undefined);
  return buf ? scanFrames(buf).records : [];
}

/** The state cached in a run's snapshot.json, whatever its journal holds now: a damaged run's last known state. */
export function cachedState(runsDir: string, runId: string): unknown {
  try {
    return readSnapshot(path.join(runsDir, runId, 'snapshot.json'))?.data;
  } catch {
    return undefined;
  }
}
