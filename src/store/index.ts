/** The run store (DESIGN §4): what the engine imports. */
export type { JournalRecord, LoadResult, ReadResult, RunStore, StoreStats, TornTail } from './types.js';
export { createFolderStore, type FolderStore, type FolderStoreOptions } from './folder-store.js';
export { acquireLock, type LockHandle } from './lock.js';
export { JournalCorruptError, TornTailError } from './errors.js';
