import type { Mailbox } from '../mailbox/port.js';
import type { FaultGate } from './faults.js';
import { isTransient } from './faults.js';
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
          mailbox.deliver(r, item.message, item.key, { staged: item.staged?.includes(r) ?? false, ...(item.stagedAs?.[r] !== undefined ? { as: item.stagedAs[r] } : {}) }).catch((e: Error) => {
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

/**
 * {@link deliverOutbox} behind the fault gate: a passing fault (a full disk, too many open
 * files) is said once by the gate, not once per reply and try; anything else is warned
 * about with the reply and its recipient.
 */
export async function deliverThroughGate(mailbox: Mailbox, items: OutboxItem[], faults: FaultGate, warn: (line: string) => void): Promise<{ keys: string[]; failed: Record<string, string> }> {
  const passing: Error[] = [];
  const result = await deliverOutbox(mailbox, items, (w, errs) => {
    const e = errs.find(isTransient) as NodeJS.ErrnoException | undefined;
    // Said with the reply and its recipient: a failed write names no file.
    if (e) passing.push(Object.assign(new Error(w.replace(/; will retry$/, '')), { code: e.code, ...(e.path ? { path: e.path } : {}) }));
    else warn(w);
  });
  if (passing.length > 0) faults.fail('delivering replies', passing[0]);
  else if (result.keys.length > 0) faults.ok('delivering replies');
  return result;
}

/**
 * Once the journal says replies were delivered, nothing asks the mailbox about them again:
 * what it kept to know it (the folder adapter's markers of replies not staged ahead) goes.
 * Best effort: a marker left behind only costs a file.
 */
export async function forgetMarkers(mailbox: Mailbox, items: OutboxItem[]): Promise<void> {
  if (!mailbox.forget) return;
  await Promise.all(items.flatMap((o) => o.recipients.filter((r) => !o.staged?.includes(r)).map((r) => mailbox.forget!(r, o.key).catch(() => undefined))));
}
