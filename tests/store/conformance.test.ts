import { promises as fs } from 'node:fs';
import { createFolderStore } from '../../src/store/folder-store.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { describeRunStore } from './conformance.js';
import { tempDir } from './helpers.js';

const folder = (opts: Parameters<typeof createFolderStore>[1]) => async () => {
  const dir = await tempDir();
  return { store: createFolderStore(dir, opts), reopen: () => createFolderStore(dir, opts), dispose: () => fs.rm(dir, { recursive: true, force: true }) };
};

describeRunStore('the folder store', folder({ fsync: true }));
describeRunStore('the folder store with its write-ahead log', folder({ fsync: true, wal: true }));
describeRunStore('the in-memory store', async () => {
  const store = createMemoryStore();
  return { store, reopen: () => store.reopen(), dispose: async () => undefined };
});
