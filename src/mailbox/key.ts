import { createHash } from 'node:crypto';
import type { Message } from '../protocol/schema.js';

/**
 * The identity of an inbound message: its `[ID:]` header when it has one, else a hash of
 * its bytes and of what the adapter knows tells this delivery apart from another with the
 * same text (for the folders, the file's inode and modification time; never its name, so
 * the same message read under another name or from another mailbox is the same message).
 * It must come out the same when the message is claimed again after a crash.
 */
export function messageKey(message: Message, bytes: Uint8Array, delivery: string): string {
  if (message.id !== undefined) return `id:${message.id}`;
  return `sha:${createHash('sha256').update(bytes).update('\0').update(delivery).digest('hex')}`;
}

/**
 * What a message says, as a short digest (16 hex digits of a sha256): its fields as
 * parsed, with the sender as checked and the recipients in any order. Not its bytes: the
 * same message with CRLF, a BOM, in a code fence, in the JSON form, under another name or
 * copied by a mailbox has the same digest; a message with another body, type, priority,
 * task, action or decision has another. A key that is an `[ID:]` tells the same message
 * read again (a duplicate) from another message that reuses the ID by this.
 */
export function messageDigest(message: Message): string {
  const m = message;
  const fields = [m.priority, m.type, [...new Set(m.to)].sort(), m.from ?? null, m.task ?? null, m.id ?? null, m.replyTo ?? null, m.decision ?? null, m.body, m.action ?? null];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 16);
}
