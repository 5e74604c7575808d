import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Message } from '../../protocol/schema.js';
import { renameDurable, writeFileAtomic } from '../../workspace/atomic.js';
import type { Config } from '../../workspace/config-schema.js';
import type { WorkspacePaths } from '../../workspace/paths.js';
import { checkInbound } from '../check.js';
import { messageKey } from '../key.js';
import { REASON_SUFFIX, entryNameProblem, ignored, lstatOrUndefined, readEntryChecked } from './read.js';
import type { InboxEntry } from './read.js';
import { RETAKE_WINDOW_MS, seenLine } from './retake.js';
import { looksComplete } from './settle.js';

/** Outcome of {@link receive}. */
export type Received =
  | { ok: true; message: Message; from: string; recipients: string[]; key: string; complete: boolean }
  /**
   * `retry`: not the message's fault (gone, changing, out of handles): leave it and try
   * again later. `complete` false: it may still be being written (see settle.ts).
   */
  | { ok: false; reason: string; retry?: boolean; complete?: false };

/**
 * Reads, parses and checks one entry of `member`'s inbox: safe read (see readEntry),
 * then {@link checkInbound} with the file name as the sender's fallback. Never throws for
 * bad input: `{ ok: false, reason }` says what a person should fix; with `retry` the file
 * is fine but cannot be read yet, and should stay where it is.
 */
export async function receive(config: Config, member: string, entry: InboxEntry): Promise<Received> {
  const bytes = await readEntryChecked(entry, config.limits.maxMessageBytes);
  // Too big may mean a writer still at work: judged once it has not changed for a while, not at each of its writes.
  if (!bytes.ok) return bytes.retry ? { ok: false, reason: bytes.error, retry: true } : { ok: false, reason: bytes.error, ...(bytes.tooBig ? { complete: false as const } : {}) };
  const checked = checkInbound(config, member, bytes.value, entry.name);
  if (!checked.ok) return { ok: false, reason: checked.reason, ...(checked.parsed && looksComplete(checked.parsed, bytes.value) ? {} : { complete: false as const }) };
  const complete = looksComplete(checked.message, bytes.value);
  const key = messageKey(checked.message, bytes.value, `${entry.ino}:${entry.mtimeMs}`);
  return { ok: true, message: checked.message, from: checked.from, recipients: checked.recipients, key, complete };
}

/**
 * The name an entry takes in cur/ once processed: its own, unless a processed message
 * already has it (or another message in hand will), then one made unique by its key.
 */
export function curNameFor(name: string, key: string, taken: (curName: string) => boolean): string {
  const plain = entryNameProblem(name) === undefined ? name : `message-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
  if (!taken(plain)) return plain;
  const ext = path.extname(plain);
  const stem = ext && ext !== plain ? plain.slice(0, -ext.length) : plain;
  const tag = createHash('sha256').update(key).digest('hex').slice(0, 10);
  return `${stem}~${tag}${ext}`;
}

/**
 * Marks an entry processed: moves it into cur/ as `curName`. Safe to repeat after a
 * crash: an entry already moved (or taken back by its writer) is left as it is.
 */
export async function ackEntry(paths: WorkspacePaths, member: string, entry: InboxEntry, curName: string, opts: { fsync?: boolean } = {}): Promise<void> {
  const inbox = paths.inbox(member);
  const to = path.join(inbox.cur, curName);
  try {
    await renameDurable(entry.path, to, opts);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    // The entry is gone (taken back by its writer, or moved before a crash), or cur/ is (deleted by hand).
    if (!(await lstatOrUndefined(entry.path)) || (await lstatOrUndefined(inbox.cur))) return;
    await fs.mkdir(inbox.cur, { recursive: true });
    await renameDurable(entry.path, to, opts).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'ENOENT') throw again;
    });
  }
}

/**
 * Moves an entry into rejected/ beside `<name>.reason.txt`, which states `reason` and how
 * to retry. Never loses a file: a name already taken in rejected/ gets a numbered suffix,
 * and a message whose own name ends in `.reason.txt` is kept as `<name>.message`, so it
 * can never stand for another's reason. Symlinks and folders are moved themselves, never
 * followed. Callers run one reject at a time (the names are chosen by looking).
 */
export async function rejectEntry(paths: WorkspacePaths, member: string, entry: InboxEntry, reason: string, opts: { fsync?: boolean } = {}): Promise<string> {
  const inbox = paths.inbox(member);
  await fs.mkdir(inbox.rejected, { recursive: true });
  const plain = entryNameProblem(entry.name) === undefined && !(entry.where === 'root' && ignored(entry.name)) ? entry.name : `rejected-${createHash('sha256').update(entry.name).digest('hex').slice(0, 12)}`;
  const base = plain.endsWith(REASON_SUFFIX) ? `${plain}.message` : plain;
  let name = base;
  for (let n = 1; (await lstatOrUndefined(path.join(inbox.rejected, name))) || (await lstatOrUndefined(path.join(inbox.rejected, name + REASON_SUFFIX))); n++) {
    name = `${base}.${n}`;
  }
  const text = [
    reason,
    '',
    `File: ${entry.name} (from inboxes/${member}/${entry.where === 'new' ? 'new/' : ''})`,
    `To retry, fix it and move it back into inboxes/${member}/new/ (a file that changes here within ${RETAKE_WINDOW_MS / 60_000} minutes of this is taken again by itself).`,
    seenLine(entry),
    '',
  ].join('\n');
  // Reason first: a crash between the two leaves the message in the inbox, to be rejected again.
  const reasonFile = path.join(inbox.rejected, name + REASON_SUFFIX);
  await writeFileAtomic(reasonFile, text, opts);
  try {
    await renameDurable(entry.path, path.join(inbox.rejected, name), opts);
  } catch (e) {
    // Gone meanwhile (its writer took it back): no orphan reason.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') await fs.rm(reasonFile, { force: true });
    throw e;
  }
  return path.join(inbox.rejected, name);
}
