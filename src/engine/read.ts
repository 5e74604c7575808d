import { UserError } from '../errors.js';
import { holderAlive, readLock } from '../store/lock.js';
import { openRunStore } from '../store/open.js';
import { cachedState, damagedRunFolders, goodRecords, readQuarantines } from '../store/quarantine.js';
import type { WorkspacePaths } from '../workspace/paths.js';
import { fold } from './fold.js';
import type { RunRecord, RunState } from './run-state.js';

/**
 * Reads runs without an engine (the CLI's `runs`, `show`, `replay`, the UI's history)
 * through the store's read-only variant: the journal is append-only and the snapshot
 * cache is replaced atomically, so reading while an engine runs is safe. Nothing is
 * repaired here; that is the engine's job on start.
 */
export async function readRunStates(paths: WorkspacePaths): Promise<RunState[]> {
  const store = await openRunStore<RunRecord, RunState>(paths, { readOnly: true });
  try {
    const ids = await store.listRuns();
    const notes = await readQuarantines(paths.runsDir);
    const states = await Promise.all(
      ids.map(async (id): Promise<RunState | undefined> => {
        const note = notes.get(id);
        try {
          const loaded = await store.load(id);
          const state = fold(loaded.tail, loaded.snapshot?.data);
          return state && note ? { ...state, quarantined: { reason: note.reason, at: note.at } } : state;
        } catch (e) {
          // One damaged run is shown as such; the others are listed as usual.
          const reason = note?.reason ?? (e as Error).message;
          const state = await lastKnown(paths, id, note?.state);
          return state ? { ...state, quarantined: { reason, at: note?.at ?? 0 } } : undefined;
        }
      }),
    );
    // Quarantined runs whose journal is gone (deleted with its folder or with runs/), or emptied.
    for (const d of await damagedRunFolders(paths.runsDir)) if (!notes.has(d.runId)) notes.set(d.runId, { runId: d.runId, reason: d.reason, at: 0 });
    for (const note of notes.values()) {
      if (states.some((s) => s?.runId === note.runId)) continue;
      const state = await lastKnown(paths, note.runId, note.state);
      if (state) states.push({ ...state, quarantined: { reason: note.reason, at: note.at } });
    }
    return states.filter((s): s is RunState => s !== undefined);
  } finally {
    await store.close();
  }
}

/** What can still be shown of a damaged run: its journal's good records, else the engine's note, else its snapshot cache. */
export async function lastKnown(paths: WorkspacePaths, runId: string, noted?: unknown): Promise<RunState | undefined> {
  const records = await goodRecords(paths.run(runId).journal).catch(() => []);
  try {
    const folded = fold(records as unknown as RunRecord[]);
    if (folded) return folded;
  } catch {
    // A journal that does not begin with its first record: fall back to what was cached.
  }
  return (noted as RunState | undefined) ?? (cachedState(paths.runsDir, runId) as RunState | undefined);
}

/** Why a run is quarantined, and its last known state, when it is (the engine's note, or a damaged journal). */
export async function readQuarantine(paths: WorkspacePaths, runId: string): Promise<{ reason: string; state?: RunState } | undefined> {
  const note = (await readQuarantines(paths.runsDir)).get(runId);
  if (note) return { reason: note.reason, ...(note.state ? { state: note.state as RunState } : {}) };
  const damaged = (await damagedRunFolders(paths.runsDir)).find((d) => d.runId === runId);
  if (!damaged) return undefined;
  const state = await lastKnown(paths, runId);
  return { reason: damaged.reason, ...(state ? { state } : {}) };
}

/** A run's whole journal, and what a person should know about it (a torn tail the engine will repair). */
export async function readJournal(paths: WorkspacePaths, runId: string): Promise<{ records: RunRecord[]; note?: string }> {
  const store = await openRunStore<RunRecord, RunState>(paths, { readOnly: true });
  try {
    return await store.read(runId);
  } finally {
    await store.close();
  }
}

/** One run's latest state, from its journal. */
export async function readRunState(paths: WorkspacePaths, runId: string): Promise<RunState> {
  const state = fold((await readJournal(paths, runId)).records);
  if (!state) throw new UserError(`run ${runId} has an empty journal`);
  return state;
}

/** The pid of the engine holding the workspace lock, when one is alive. */
export async function runningEngine(paths: WorkspacePaths): Promise<number | undefined> {
  const holder = await readLock(paths.lockFile).catch(() => 'missing' as const);
  return holder !== 'missing' && holderAlive(holder) ? holder.pid : undefined;
}
