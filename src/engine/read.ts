import { promises as fs } from 'node:fs';
import { holderAlive, readLock } from '../store/lock.js';
import { openRunStore } from '../store/open.js';
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
    const states = await Promise.all(
      ids.map(async (id) => {
        const loaded = await store.load(id);
        return fold(loaded.tail, loaded.snapshot?.data);
      }),
    );
    return states.filter((s): s is RunState => s !== undefined);
  } finally {
    await store.close();
  }
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

/** The pid of the engine holding the workspace lock, when one is alive. */
export async function runningEngine(paths: WorkspacePaths): Promise<number | undefined> {
  const holder = await readLock(paths.lockFile).catch(() => 'missing' as const);
  return holder !== 'missing' && holderAlive(holder) ? holder.pid : undefined;
}
