import { createHash } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import type { Result } from '../errors.js';
import { err, ok } from '../errors.js';
import { parseMessage } from '../protocol/parse.js';
import type { Message } from '../protocol/schema.js';
import { renameDurable, writeFileAtomic } from './atomic.js';
import type { Config } from './config-schema.js';
import { INBOX_SUBDIRS } from './paths.js';
import type { WorkspacePaths } from './paths.js';
import { checkAddresses } from './team.js';

/** How long a file dropped in the inbox root must stay unchanged before it is read. */
export const DEFAULT_SETTLE_MS = 250;

/** One candidate message in an inbox. */
export interface InboxEntry {
  path: string;
  name: string;
  /** The inbox root (careless writers, settled by mtime) or new/ (atomic delivery). */
  where: 'root' | 'new';
  /** What lstat saw: only `file` can be read; the others are listed so they can be rejected. */
  kind: 'file' | 'symlink' | 'directory' | 'other';
  size: number;
  mtimeMs: number;
}

/** Outcome of {@link receive}. */
export type Received =
  | { ok: true; message: Message; from: string; recipients: string[]; key: string }
  /** `retry`: not the message's fault (gone, still being written, out of handles): leave it in the inbox and try again later. */
  | { ok: false; reason: string; retry?: boolean };

const ignored = (name: string): boolean => name.startsWith('.') || name.endsWith('.tmp');

function kindOf(st: Stats): InboxEntry['kind'] {
  return st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'directory' : 'other';
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * The messages waiting in `member`'s inbox, oldest first: everything in new/, and what
 * was dropped in the inbox root once unchanged for `settleMs` (judged by mtime against
 * `now`), so a file still being written in place is never read as a whole message.
 * Dotfiles and `*.tmp` are skipped (writers' temp files). Symlinks, folders and other
 * non-files are listed with their `kind` so the caller rejects them; nothing is followed.
 */
export async function listInbox(paths: WorkspacePaths, member: string, opts: { now: number; settleMs?: number }): Promise<InboxEntry[]> {
  const inbox = paths.inbox(member);
  const settleMs = opts.settleMs ?? DEFAULT_SETTLE_MS;
  const entries: InboxEntry[] = [];
  for (const where of ['root', 'new'] as const) {
    const dir = where === 'root' ? inbox.root : inbox.new;
    for (const name of await readdirOrEmpty(dir)) {
      if (ignored(name)) continue;
      if (where === 'root' && (INBOX_SUBDIRS as readonly string[]).includes(name)) continue;
      const p = path.join(dir, name);
      const st = await lstatOrUndefined(p);
      if (!st) continue;
      if (where === 'root' && opts.now - st.mtimeMs < settleMs) continue;
      entries.push({ path: p, name, where, kind: kindOf(st), size: st.size, mtimeMs: st.mtimeMs });
    }
  }
  return entries.sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));
}

/** Why a file name may not be taken as a message, or undefined. */
export function entryNameProblem(name: string): string | undefined {
  if (name.includes('/') || name.includes('\\') || name.includes('\0')) return `the name "${name}" contains a path separator`;
  if (name.includes('..')) return `the name "${name}" contains ".."`;
  if (name === '' || name === '.') return 'the name is empty';
  return undefined;
}

/** Why an entry could not be read; `retry` when it may read fine later (gone, changing, out of file handles). */
export interface ReadFailure {
  ok: false;
  error: string;
  retry: boolean;
}

const refuse = (error: string): ReadFailure => ({ ok: false, error: `refused: ${error}`, retry: false });
const later = (error: string): ReadFailure => ({ ok: false, error, retry: true });
const SYMLINK = 'it is a symbolic link (not followed); put the message itself in the inbox';

/**
 * Reads one entry's bytes without ever leaving the workspace: refuses unsafe names,
 * symlinks (lstat, then open with O_NOFOLLOW), anything but a regular file, and files
 * over `maxBytes` (reading at most maxBytes+1 bytes, so a file growing meanwhile is
 * caught). A file in the inbox root that changed since it was listed is not read
 * (`retry`): its writer is still at work.
 */
export async function readEntryChecked(entry: InboxEntry, maxBytes: number): Promise<{ ok: true; value: Uint8Array } | ReadFailure> {
  const bad = entryNameProblem(entry.name);
  if (bad) return refuse(bad);
  const st = await lstatOrUndefined(entry.path);
  if (!st) return later('the file is gone');
  if (st.isSymbolicLink()) return refuse(SYMLINK);
  if (st.isDirectory()) return refuse('it is a folder, not a message file');
  if (!st.isFile()) return refuse('not a regular file');
  if (st.size > maxBytes) return refuse(`the file is ${st.size} bytes, over the limit of ${maxBytes} (limits.maxMessageBytes); split it or raise the limit`);
  const changed = (s: { mtimeMs: number; size: number }): boolean => entry.where === 'root' && (s.mtimeMs !== entry.mtimeMs || s.size !== entry.size);
  if (changed(st)) return later('it changed since it was listed; it is read once it stays unchanged');
  let handle: fs.FileHandle;
  try {
    // O_NONBLOCK: if a FIFO was swapped in after the lstat, open must not hang.
    handle = await fs.open(entry.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return refuse(SYMLINK);
    if (code === 'ENOENT') return later('the file is gone');
    return later(`cannot open it (${code ?? String(e)})`);
  }
  try {
    const fst = await handle.stat();
    if (!fst.isFile()) return refuse('not a regular file');
    // Sized for the file as it is; grown (up to the limit) only if it grew meanwhile.
    let buf = Buffer.alloc(Math.min(maxBytes + 1, fst.size + 1));
    let total = 0;
    for (;;) {
      if (total === buf.length) {
        if (buf.length > maxBytes) break;
        const bigger = Buffer.alloc(Math.min(maxBytes + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, total);
        buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, total, buf.length - total, total);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    if (total > maxBytes) return refuse(`the file is over ${maxBytes} bytes, the limit (limits.maxMessageBytes); split it or raise the limit`);
    if (changed(await handle.stat())) return later('it changed while being read; it is read once it stays unchanged');
    return { ok: true, value: new Uint8Array(buf.subarray(0, total)) };
  } finally {
    await handle.close();
  }
}

/** {@link readEntryChecked} as a plain Result: the bytes, or why not. */
export async function readEntry(entry: InboxEntry, maxBytes: number): Promise<Result<Uint8Array, string>> {
  const r = await readEntryChecked(entry, maxBytes);
  return r.ok ? ok(r.value) : err(r.error);
}

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

const REASON_SUFFIX = '.reason.txt';

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

/** One file in a report of an inbox. */
export interface InboxReportItem {
  name: string;
  path: string;
  size: number;
  mtimeMs: number;
}

/** What `teamstate inbox` shows. */
export interface InboxReport {
  /** Waiting: new/ and the inbox root (`settled` false: maybe still being written). */
  new: (InboxReportItem & { where: 'root' | 'new'; kind: InboxEntry['kind']; settled: boolean })[];
  processed: InboxReportItem[];
  rejected: (InboxReportItem & { reason: string })[];
}

async function items(dir: string): Promise<InboxReportItem[]> {
  const out: InboxReportItem[] = [];
  for (const name of await readdirOrEmpty(dir)) {
    if (ignored(name)) continue;
    const st = await lstatOrUndefined(path.join(dir, name));
    if (st) out.push({ name, path: path.join(dir, name), size: st.size, mtimeMs: st.mtimeMs });
  }
  return out.sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));
}

/** Lists `member`'s inbox for people: waiting, processed, and rejected with the first line of each reason. */
export async function listInboxReport(paths: WorkspacePaths, member: string, opts: { now?: number; settleMs?: number } = {}): Promise<InboxReport> {
  const inbox = paths.inbox(member);
  const now = opts.now ?? Date.now();
  const waiting = await listInbox(paths, member, { now: Number.POSITIVE_INFINITY, settleMs: 0 });
  const settleMs = opts.settleMs ?? DEFAULT_SETTLE_MS;
  const rejectedAll = await items(inbox.rejected);
  const names = new Set(rejectedAll.map((i) => i.name));
  const rejected: InboxReport['rejected'] = [];
  for (const item of rejectedAll) {
    // A reason file sits beside each rejected file; a rejected file may itself end in the suffix.
    if (item.name.endsWith(REASON_SUFFIX) && names.has(item.name.slice(0, -REASON_SUFFIX.length))) continue;
    const text = await fs.readFile(path.join(inbox.rejected, item.name + REASON_SUFFIX), 'utf8').catch(() => '');
    rejected.push({ ...item, reason: text.split('\n')[0]?.trim() || '(no reason file)' });
  }
  return {
    new: waiting.map((e) => ({ name: e.name, path: e.path, size: e.size, mtimeMs: e.mtimeMs, where: e.where, kind: e.kind, settled: e.where === 'new' || now - e.mtimeMs >= settleMs })),
    processed: await items(inbox.cur),
    rejected,
  };
}
