import type { Mailbox } from '../mailbox/port.js';
import type { OutboxItem } from './run-state.js';

/**
 * Delivers journaled messages, one per recipient, side by side. Returns the keys fully
 * delivered, and for each one that failed (disk full, a read-only inbox, a link) why: it
 * stays undelivered in the journal and is tried again (see DeliveryRetry), with a warning.
 */
export async function deliverOutbox(mailbox: Mailbox, items: OutboxItem[], warn: (line: string, errors: Error[]) => void): Promise<{ keys: string[]; failed: Record<string, string> }> {
  const failed: Record<string, string> = {};
  const done = await Promise.all(
    items.map(async (item) => {
      const problems: string[] = [];
      const errors: Error[] = [];
      await Promise.all(
        item.recipients.map((r) =>
          mailbox.deliver(r, item.message, item.key, { staged: item.staged?.includes(r) ?? false }).catch((e: Error) => {
            problems.push(`to ${r}: ${e.message}`);
            errors.push(e);
          }),
        ),
      );
      if (problems.length === 0) return item.key;
      failed[item.key] = problems.sort().join('; ');
      warn(`could not deliver ${item.message.type} ${item.key} ${failed[item.key]}; will retry`, errors);
      return undefined;
    }),
  );
  return { keys: done.filter((k): k is string => k !== undefined), failed };
}
