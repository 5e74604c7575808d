import type { WorkspacePaths } from '../workspace/paths.js';
import { createFolderStore, type FolderStore } from './folder-store.js';
import type { JournalRecord } from './types.js';

/** How a workspace's run store is opened: by the engine holding the lock, or read-only beside it. */
export type StoreMode = { readOnly: true } | { readOnly?: false; fsync: boolean; warn?: (line: string) => void };

/**
 * The one way to open a workspace's run store. Writable (only the engine, under the
 * workspace lock): a crashed predecessor's write-ahead log is replayed before this
 * resolves, and torn journal tails are repaired as runs are loaded. Read-only (the CLI
 * and the UI's history): nothing is written or repaired.
 */
export async function openRunStore<R extends JournalRecord, S>(paths: WorkspacePaths, mode: StoreMode): Promise<FolderStore<R, S>> {
  const store = mode.readOnly
    ? createFolderStore<R, S>(paths.runsDir, { readOnly: true, fsync: false })
    : createFolderStore<R, S>(paths.runsDir, { fsync: mode.fsync, wal: mode.fsync, ...(mode.warn ? { warn: mode.warn } : {}) });
  await store.opened();
  return store;
}
