import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Message } from '../protocol/schema.js';
import { renderMessage } from '../protocol/render.js';
import { writeFileAtomic } from './atomic.js';
import type { WorkspacePaths } from './paths.js';
import { segmentProblem } from './paths.js';

/**
 * The file name of message `key` in `recipient`'s inbox: the same for the same key and
 * recipient (so a re-delivery after a crash replaces the file), different otherwise, and
 * made of safe characters only. `<from>--` leads it when the sender is known, so readers
 * that take the sender from the file name see it; a readable part of the key follows and
 * a hash of key and recipient keeps it unique.
 */
export function deliveryName(key: string, recipient: string, from?: string): string {
  const hash = createHash('sha256').update(`${key}\0${recipient}`).digest('hex').slice(0, 16);
  const slug = key
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
    .slice(0, 40)
    .replace(/[^A-Za-z0-9]+$/, '');
  const prefix = from !== undefined && segmentProblem(from) === undefined ? `${from}--` : '';
  return `${prefix}${slug ? `${slug}-` : ''}${hash}.md`;
}

/**
 * Delivers `message` into `recipient`'s inbox: written in tmp/, then renamed into new/
 * (DESIGN §2). A repeated delivery of the same `key` replaces the file in new/; when the
 * recipient has already processed it (the name is in cur/) nothing is written.
 * The caller has checked that `recipient` is a member (see checkAddresses).
 */
export async function deliver(
  paths: WorkspacePaths,
  recipient: string,
  message: Message,
  key: string,
  opts: { fsync?: boolean } = {},
): Promise<'delivered' | 'already-processed'> {
  const inbox = paths.inbox(recipient);
  const name = deliveryName(key, recipient, message.from);
  const processed = await fs.lstat(path.join(inbox.cur, name)).then(
    () => true,
    () => false,
  );
  if (processed) return 'already-processed';
  // A member added to the config after init has no folders yet.
  await fs.mkdir(inbox.tmp, { recursive: true });
  await fs.mkdir(inbox.new, { recursive: true });
  await writeFileAtomic(path.join(inbox.new, name), renderMessage(message), { fsync: opts.fsync ?? true, tmpDir: inbox.tmp });
  return 'delivered';
}
