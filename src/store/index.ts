/** The run store (docs/DESIGN.md §4): what the engine imports. */
export type { JournalRecord, LoadResult, ReadResult, RunStore, StoreStats } from './types.js';
export { createFolderStore, type FolderStore, type FolderStoreOptions } from './folder-store.js';
export { createMemoryStore } from './memory-store.js';
export { acquireLock, type LockHandle } from './lock.js';
export { JournalCorruptError } from './errors.js';
