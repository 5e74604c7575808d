import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseMessage } from '../protocol/parse.js';
import type { Message } from '../protocol/schema.js';
import { renameDurable, writeFileAtomic } from './atomic.js';
import type { Config } from './config-schema.js';
import { REASON_SUFFIX, entryNameProblem, ignored, lstatOrUndefined, readEntryChecked } from './inbox-read.js';
import type { InboxEntry } from './inbox-read.js';
import type { WorkspacePaths } from './paths.js';
import { checkAddresses } from './team.js';

export { DEFAULT_SETTLE_MS, entryNameProblem, listInbox, readEntry, readEntryChecked } from './inbox-read.js';
export type { InboxEntry, ReadFailure } from './inbox-read.js';
export { listInboxReport } from './inbox-report.js';
export type { InboxReport, InboxReportItem } from './inbox-report.js';

/** Outcome of {@link receive}. */
export type Received =
  | { ok: true; message: Message; from: string; recipients: string[]; key: string }
  /** `retry`: not the message's fault (gone, still being written, out of handles): leave it in the inbox and try again later. */
  | { ok: false; reason: string; retry?: boolean };

/** The sender a file name gives: `<sender>--<rest>`. */
export function senderFromFileName(name: string): string | undefined {
  const i = name.indexOf('--');
  return i > 0 ? name.slice(0, i).toLowerCase() : undefined;
}

/** "line 3: ...; expected ..." for a parse error (the protocol's message usually says it all). */
export function describeParseError(e: { line?: number; expected: string; message: string }): string {
  const msg = e.message.trim();
  const at = e.line !== undefined && !msg.startsWith(`line ${e.line}`) ? `line ${e.line}: ` : '';
  const expected = e.expected && !msg.includes('expected') ? `${msg ? '; ' : ''}expected ${e.expected}` : '';
  return `${at}${msg}${expected}`;
}

/** The identity of a message: its ID header, else a hash of file name and content. */
export function messageKey(message: Message, name: string, bytes: Uint8Array): string {
  if (message.id !== undefined) return `id:${message.id}`;
  return `sha:${createHash('sha256').update(name).update('\0').update(bytes).digest('hex')}`;
}

/**
 * Reads, parses and checks one entry of `member`'s inbox: safe read (see readEntry),
 * parse with the team's aliases and the file name as the sender's fallback, then the
 * sender and recipients against the team; the message must be addressed to `member`.
 * Never throws for bad input: `{ ok: false, reason }` says what a person should fix;
 * with `retry` the file is fine but cannot be read yet, and should stay where it is.
 */
export async function receive(_paths: WorkspacePaths, config: Config, member: string, entry: InboxEntry): Promise<Received> {
  const bytes = await readEntryChecked(entry, config.limits.maxMessageBytes);
  if (!bytes.ok) return bytes.retry ? { ok: false, reason: bytes.error, retry: true } : { ok: false, reason: bytes.error };
  const parsed = parseMessage(bytes.value, { aliases: config.aliases, fileName: entry.name, defaultTo: member });
  if (!parsed.ok) return { ok: false, reason: describeParseError(parsed.error) };
  const sender = senderFromFileName(entry.name);
  const addresses = checkAddresses(parsed.value, config, sender !== undefined ? { sender } : {});
  if (!addresses.ok) return { ok: false, reason: addresses.error };
  const { from, recipients } = addresses.value;
  if (!recipients.includes(member)) {
    return { ok: false, reason: `addressed to ${recipients.join(', ')}, not ${member}; deliver it to their inbox instead` };
  }
  return { ok: true, message: { ...parsed.value, from }, from, recipients, key: messageKey(parsed.value, entry.name, bytes.value) };
}

/**
 * Marks an entry processed: moves it into cur/ (replacing a file of the same name).
 * Safe to repeat after a crash: an entry already moved is left as it is.
 */
export async function ackEntry(paths: WorkspacePaths, member: string, entry: InboxEntry, opts: { fsync?: boolean } = {}): Promise<void> {
  const inbox = paths.inbox(member);
  await fs.mkdir(inbox.cur, { recursive: true });
  const target = path.join(inbox.cur, entry.name);
  try {
    await renameDurable(entry.path, target, opts);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && (await lstatOrUndefined(target))) return;
    throw e;
  }
}

/**
 * Moves an entry into rejected/ beside `<name>.reason.txt`, which states `reason` and how
 * to retry. Never loses a file: a name already taken in rejected/ gets a numbered suffix;
 * symlinks and folders are moved themselves, never followed.
 */
export async function rejectEntry(paths: WorkspacePaths, member: string, entry: InboxEntry, reason: string, opts: { fsync?: boolean } = {}): Promise<string> {
  const inbox = paths.inbox(member);
  await fs.mkdir(inbox.rejected, { recursive: true });
  const base = entryNameProblem(entry.name) === undefined && !ignored(entry.name) ? entry.name : `rejected-${createHash('sha256').update(entry.name).digest('hex').slice(0, 12)}`;
  let name = base;
  for (let n = 1; (await lstatOrUndefined(path.join(inbox.rejected, name))) || (await lstatOrUndefined(path.join(inbox.rejected, name + REASON_SUFFIX))); n++) {
    name = `${base}.${n}`;
  }
  const text = `${reason}\n\nFile: ${entry.name} (from inboxes/${member}/${entry.where === 'new' ? 'new/' : ''})\nTo retry, fix it and move it back into inboxes/${member}/new/.\n`;
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
