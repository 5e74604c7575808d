import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Message } from '../../protocol/schema.js';
import { renderMessage } from '../../protocol/render.js';
import { fsyncDir, renameDurable, writeFileAtomic } from '../../workspace/atomic.js';
import { assertNoLinks } from '../../workspace/no-links.js';
import type { WorkspacePaths } from '../../workspace/paths.js';
import { segmentProblem } from '../../workspace/paths.js';
import type { Delivery } from '../port.js';
import { lstatOrUndefined } from './read.js';

const hashOf = (key: string, recipient: string): string => createHash('sha256').update(`${key}\0${recipient}`).digest('hex').slice(0, 16);

/**
 * The file name of message `key` in `recipient`'s inbox: the same for the same key and
 * recipient, different otherwise, and made of safe characters only. `<from>--` leads it
 * when the sender is known, so readers that take the sender from the file name see it; a
 * readable part of the key follows and a hash of key and recipient keeps it unique.
 */
export function deliveryName(key: string, recipient: string, from?: string): string {
  const slug = key
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
    .slice(0, 40)
    .replace(/[^A-Za-z0-9]+$/, '');
  const prefix = from !== undefined && segmentProblem(from) === undefined ? `${from}--` : '';
  return `${prefix}${slug ? `${slug}-` : ''}${hashOf(key, recipient)}.md`;
}

/** The marker that says message `key` was staged for `recipient`: `deliveries/<h2>/<hash>`. */
export function deliveryMarker(paths: WorkspacePaths, key: string, recipient: string): string {
  const h = hashOf(key, recipient);
  return path.join(paths.deliveriesDir, h.slice(0, 2), h);
}

/**
 * Delivers `message` into `recipient`'s inbox exactly once for `key`, whatever the
 * recipient does with it and wherever a crash lands (DESIGN §4):
 * 1. the message is staged as `tmp/<name>` (written in full, fsynced; a temp file renamed),
 * 2. an empty marker `deliveries/<h2>/<hash>` records that it was staged (folder fsynced),
 * 3. `tmp/<name>` is renamed into `new/<name>` (folders fsynced).
 * Only the rename removes the staged file, so a later call knows without looking in new/:
 * no marker, not handed over (stage again); a marker and a staged file, not renamed yet
 * (rename it); a marker alone, handed over (nothing to do: `already-delivered`).
 * No folder on the way may be a symbolic link (LinkError, naming it).
 * The caller has checked that `recipient` is a member (see checkAddresses).
 */
export async function deliver(paths: WorkspacePaths, recipient: string, message: Message, key: string, opts: { fsync?: boolean } = {}): Promise<Delivery> {
  const sync = opts.fsync ?? true;
  const inbox = paths.inbox(recipient);
  const name = deliveryName(key, recipient, message.from);
  const marker = deliveryMarker(paths, key, recipient);
  for (const dir of [inbox.tmp, inbox.new, path.dirname(marker)]) await assertNoLinks(paths.root, dir);
  const staged = path.join(inbox.tmp, name);
  const target = path.join(inbox.new, name);
  if (await lstatOrUndefined(marker)) {
    if (!(await lstatOrUndefined(staged))) return 'already-delivered';
    await renameDurable(staged, target, { fsync: sync });
    return 'delivered';
  }
  // Delivered by a version that kept no marker, and already read by the recipient.
  if (await lstatOrUndefined(path.join(inbox.cur, name))) return 'already-delivered';
  // A member added to the config after init has no folders yet.
  await mkdirDurable(inbox.tmp, sync);
  await mkdirDurable(inbox.new, sync);
  await writeFileAtomic(staged, renderMessage(message), { fsync: sync, tmpDir: inbox.tmp });
  await mkdirDurable(path.dirname(marker), sync);
  await (await fs.open(marker, 'a')).close();
  if (sync) await fsyncDir(path.dirname(marker));
  await renameDurable(staged, target, { fsync: sync });
  return 'delivered';
}

/** mkdir -p, and when it made folders, each folder holding a new one synced so they stay. */
async function mkdirDurable(dir: string, sync: boolean): Promise<void> {
  const first = await fs.mkdir(dir, { recursive: true });
  if (first === undefined || !sync) return;
  for (let at = dir; ; at = path.dirname(at)) {
    await fsyncDir(path.dirname(at));
    if (at === first || path.dirname(at) === at) break;
  }
}
