import type { Mailbox } from '../mailbox/port.js';
import type { OutboxItem } from './run-state.js';

/**
 * Delivers journaled messages, one per recipient, side by side. Returns the keys fully
 * delivered; a failed one (disk full, a read-only inbox) stays undelivered in the journal
 * and is tried again on the next flush or restart, with a warning.
 */
export async function deliverOutbox(mailbox: Mailbox, items: OutboxItem[], warn: (line: string) => void): Promise<string[]> {
  const done = await Promise.all(
    items.map(async (item) => {
      try {
        await Promise.all(item.recipients.map((r) => mailbox.deliver(r, item.message, item.key)));
        return item.key;
      } catch (e) {
        warn(`could not deliver ${item.message.type} ${item.key} to ${item.recipients.join(', ')}: ${(e as Error).message}; will retry`);
        return undefined;
      }
    }),
  );
  return done.filter((k): k is string => k !== undefined);
}
