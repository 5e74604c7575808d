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
