import { promises as fs } from 'node:fs';
import { UserError } from '../errors.js';
import { createFolderStore } from '../store/folder-store.js';
import type { WorkspacePaths } from '../workspace/paths.js';
import type { RunRecord, RunState } from './run-state.js';
import { stateAfter } from './run-state.js';

/**
 * Reads runs from the store without an engine (the CLI's `runs`, `show`, `replay`): the
 * journal is append-only and the snapshot cache is replaced atomically, so reading while
 * an engine runs is safe. Nothing is repaired here; that is the engine's job on start.
 */
export async function readRunStates(paths: WorkspacePaths): Promise<RunState[]> {
  const store = createFolderStore(paths.runsDir, { fsync: false });
  try {
    const ids = await store.listRuns();
    const states = await Promise.all(
      ids.map(async (id) => {
        const loaded = await store.load(id);
        let state = loaded.snapshot?.data as RunState | undefined;
        for (const r of loaded.tail as unknown as RunRecord[]) state = stateAfter(state, r);
        return state;
      }),
    );
    return states.filter((s): s is RunState => s !== undefined);
  } finally {
    await store.close();
  }
}

/** A run's whole journal. */
export async function readJournal(paths: WorkspacePaths, runId: string): Promise<{ records: RunRecord[]; torn?: { offset: number; bytes: number; reason: string } }> {
  const exists = await fs.stat(paths.run(runId).journal).then(
    () => true,
    () => false,
  );
  if (!exists) throw new UserError(`no run "${runId}" in ${paths.root}; \`teamstate runs\` lists them`);
  const store = createFolderStore(paths.runsDir, { fsync: false });
  try {
    const result = await store.read(runId);
    return { records: result.records as unknown as RunRecord[], ...(result.torn ? { torn: result.torn } : {}) };
  } finally {
    await store.close();
  }
}

/** The pid of the engine holding the workspace lock, when one is alive. */
export async function runningEngine(paths: WorkspacePaths): Promise<number | undefined> {
  try {
    const { pid } = JSON.parse(await fs.readFile(paths.lockFile, 'utf8')) as { pid?: number };
    if (typeof pid !== 'number') return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}
