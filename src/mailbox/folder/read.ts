import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import type { Result } from '../../errors.js';
import { err, ok } from '../../errors.js';
import { INBOX_SUBDIRS } from '../../workspace/paths.js';
import type { WorkspacePaths } from '../../workspace/paths.js';

/** One candidate message in an inbox. */
export interface InboxEntry {
  path: string;
  name: string;
  /** The inbox root (careless writers) or new/ (atomic delivery, or `cp`). */
  where: 'root' | 'new';
  /** What lstat saw: only `file` can be read; the others are listed so they can be rejected. */
  kind: 'file' | 'symlink' | 'directory' | 'other';
  size: number;
  mtimeMs: number;
  /** The file's inode: with its content, what tells one delivery of a message from another. */
  ino: number;
}

/**
 * Writers' temp files in the inbox root (editors' swap files, half-saved files): never
 * messages. In new/ every file is a message: writers stage in tmp/, not in new/.
 */
export const ignored = (name: string): boolean => name.startsWith('.') || name.endsWith('.tmp');

/** What an lstat says an entry is. */
export function kindOf(st: Stats): InboxEntry['kind'] {
  return st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'directory' : 'other';
}

/*
 * The inbox's small metadata calls (listings, lstats, reading a message of a few KB) are
 * synchronous: each takes a few microseconds here, several times less than handing it to
 * libuv's thread pool and back (docs/DESIGN.md §4, "Speed"). fsyncs stay asynchronous.
 */

export async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

export async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  return lstatSync(p, { throwIfNoEntry: false });
}

/**
 * What waits in `member`'s inbox, oldest first: every entry of new/, and of the inbox
 * root all but writers' temp files (see {@link ignored}) and the inbox's own folders.
 * Whether a file is complete yet is judged once it is read (see settle.ts). Symlinks,
 * folders and other non-files are listed with their `kind` so the caller rejects them;
 * nothing is followed.
 */
export async function listInbox(paths: WorkspacePaths, member: string): Promise<InboxEntry[]> {
  const inbox = paths.inbox(member);
  const found: { dir: string; name: string; where: InboxEntry['where'] }[] = [];
  for (const where of ['root', 'new'] as const) {
    const dir = where === 'root' ? inbox.root : inbox.new;
    for (const name of await readdirOrEmpty(dir)) {
      if (where === 'root' && (ignored(name) || (INBOX_SUBDIRS as readonly string[]).includes(name))) continue;
      found.push({ dir, name, where });
    }
  }
  const entries: InboxEntry[] = [];
  for (const { dir, name, where } of found) {
    const file = path.join(dir, name);
    const st = lstatSync(file, { throwIfNoEntry: false });
    if (st) entries.push({ path: file, name, where, kind: kindOf(st), size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
  }
  return entries.sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));
}

/**
 * Why a file name may not be taken as a message, or undefined. A name read from a folder
 * is one segment already; only what could still mean another folder is refused.
 */
export function entryNameProblem(name: string): string | undefined {
  if (name.includes('/') || name.includes('\\') || name.includes('\0')) return `the name "${name}" contains a path separator`;
  if (name === '..') return 'the name is ".."';
  if (name === '' || name === '.') return 'the name is empty';
  return undefined;
}

/** Why an entry could not be read; `retry` when it may read fine later (gone, changing, out of file handles). */
export interface ReadFailure {
  ok: false;
  error: string;
  retry: boolean;
  /** Refused for its size: a writer may still be at work on it (see settle.ts). */
  tooBig?: true;
}

const refuse = (error: string): ReadFailure => ({ ok: false, error: `refused: ${error}`, retry: false });
const later = (error: string): ReadFailure => ({ ok: false, error, retry: true });
const SYMLINK = 'it is a symbolic link (not followed); put the message itself in the inbox';
const tooBig = (size: number, maxBytes: number): string => `the file is ${size} bytes, over the limit of ${maxBytes} (limits.maxMessageBytes); split it or raise the limit`;

/**
 * Reads one entry's bytes without ever leaving the workspace: refuses unsafe names,
 * symlinks (lstat, then open with O_NOFOLLOW), anything but a regular file, and files
 * over `maxBytes` (reading at most maxBytes+1 bytes, so a file growing meanwhile is
 * caught). A file that changed since it was listed is not read (`retry`): its writer is
 * still at work.
 */
export async function readEntryChecked(entry: InboxEntry, maxBytes: number): Promise<{ ok: true; value: Uint8Array } | ReadFailure> {
  const bad = entryNameProblem(entry.name);
  if (bad) return refuse(bad);
  // What the listing's lstat saw decides what is opened: only a regular file ever is (never a
  // device or a FIFO). The listing is fresh; what changed since is caught on the open file.
  if (entry.kind !== 'file') {
    const st = await lstatOrUndefined(entry.path);
    if (!st) return later('the file is gone');
    if (st.isSymbolicLink()) return refuse(SYMLINK);
    if (st.isDirectory()) return refuse('it is a folder, not a message file');
    if (!st.isFile()) return refuse('not a regular file');
    return later('it changed since it was listed; it is read once it stays unchanged');
  }
  // A file written in place (the root, or `cp` into new/) that changes is still being written.
  const changed = (s: { mtimeMs: number; size: number }): boolean => s.mtimeMs !== entry.mtimeMs || s.size !== entry.size;
  let handle: number;
  try {
    // O_NOFOLLOW: a symlink swapped in after the listing is refused. O_NONBLOCK: a FIFO swapped in must not hang the open. O_NOCTTY: nor may a terminal.
    handle = openSync(entry.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return refuse(SYMLINK);
    if (code === 'ENOENT') return later('the file is gone');
    return later(`cannot open it (${code ?? String(e)})`);
  }
  try {
    const fst = fstatSync(handle);
    if (fst.isDirectory()) return refuse('it is a folder, not a message file');
    if (!fst.isFile()) return refuse('not a regular file');
    if (changed(fst)) return later('it changed since it was listed; it is read once it stays unchanged');
    if (fst.size > maxBytes) return { ...refuse(tooBig(fst.size, maxBytes)), tooBig: true };
    // Sized for the file as it is; grown (up to the limit) only if it grew meanwhile.
    let buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, fst.size + 1));
    let total = 0;
    for (;;) {
      if (total === buf.length) {
        if (buf.length > maxBytes) break;
        const bigger = Buffer.allocUnsafe(Math.min(maxBytes + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, total);
        buf = bigger;
      }
      const bytesRead = readSync(handle, buf, total, buf.length - total, total);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    if (total > maxBytes) return { ...refuse(`the file is over ${maxBytes} bytes, the limit (limits.maxMessageBytes); split it or raise the limit`), tooBig: true };
    if (changed(fstatSync(handle))) return later('it changed while being read; it is read once it stays unchanged');
    return { ok: true, value: new Uint8Array(buf.subarray(0, total)) };
  } catch (e) {
    // Out of file handles, an I/O error: the file is fine, it is read again later.
    return later(`cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  } finally {
    closeSync(handle);
  }
}

/** {@link readEntryChecked} as a plain Result: the bytes, or why not. */
export async function readEntry(entry: InboxEntry, maxBytes: number): Promise<Result<Uint8Array, string>> {
  const r = await readEntryChecked(entry, maxBytes);
  return r.ok ? ok(r.value) : err(r.error);
}

/** Beside each rejected file, `<name>.reason.txt` says why. */
export const REASON_SUFFIX = '.reason.txt';
