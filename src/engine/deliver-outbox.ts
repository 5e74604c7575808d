import { deliver } from '../workspace/deliver.js';
import type { WorkspacePaths } from '../workspace/paths.js';
import type { OutboxItem } from './run-state.js';

/**
 * Delivers journaled messages, one file per recipient, side by side. Returns the keys
 * fully delivered; a failed one (disk full, a read-only inbox) stays undelivered in the
 * journal and is tried again on the next flush or restart, with a warning.
 */
export async function deliverOutbox(paths: WorkspacePaths, items: OutboxItem[], opts: { fsync: boolean; warn: (line: string) => void }): Promise<string[]> {
  const done = await Promise.all(
    items.map(async (item) => {
      try {
        await Promise.all(item.recipients.map((r) => deliver(paths, r, item.message, item.key, { fsync: opts.fsync })));
        return item.key;
      } catch (e) {
        opts.warn(`could not deliver ${item.message.type} ${item.key} to ${item.recipients.join(', ')}: ${(e as Error).message}; will retry`);
        return undefined;
      }
    }),
  );
  return done.filter((k): k is string => k !== undefined);
}
