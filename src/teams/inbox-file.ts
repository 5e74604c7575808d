import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { writeFileAtomic } from '../workspace/atomic.js';
import { INBOX_RETRIES, ensureFile, withFileLock } from './file-lock.js';

/**
 * One entry of a Claude Code inbox file (`inboxes/<name>.json`, a JSON array): the
 * recipient is the file's name. Fields Claude Code adds later are kept (loose).
 */
export const inboxEntrySchema = z
  .object({
    from: z.string().min(1),
    text: z.string(),
    timestamp: z.string().min(1),
    read: z.boolean().optional(),
    color: z.string().optional(),
    summary: z.string().optional(),
  })
  .loose();
export type InboxEntry = z.infer<typeof inboxEntrySchema>;

/** What an inbox file holds now: its entries (unparsed), or why it can't be read. */
export type InboxRead = { ok: true; entries: unknown[] } | { ok: false; reason: string };

/** The same entry: same sender, timestamp and text (Claude Code may deliver one several times). */
export function sameEntry(a: { from: string; timestamp: string; text: string }, b: unknown): boolean {
  if (!b || typeof b !== 'object') return false;
  const o = b as Record<string, unknown>;
  return o.from === a.from && o.timestamp === a.timestamp && o.text === a.text;
}

/**
 * The identity of an entry, for dedupe: a hash of sender, timestamp and text (an entry
 * delivered several times has one identity); of the whole JSON for a malformed one, but
 * its `read` flag, which marking it read sets (else the marked entry is a new one, and
 * rejected again).
 */
export function entryKey(raw: unknown): string {
  const e = inboxEntrySchema.safeParse(raw);
  const h = createHash('sha256');
  if (e.success) h.update(`${e.data.from}\0${e.data.timestamp}\0${e.data.text}`);
  else h.update(`malformed\0${JSON.stringify(unread(raw))}`);
  return h.digest('hex');
}

/** `raw` without its `read` field, when it is an object that has one. */
function unread(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !('read' in raw)) return raw;
  const { read: _read, ...rest } = raw as Record<string, unknown>;
  return rest;
}

/**
 * Reads an inbox file as Claude Code does: missing means empty. Claude Code rewrites the
 * file in place, so a read can catch it half-written: that comes back not ok, to be read
 * again (never treated as empty, which would look like lost mail).
 */
export async function readInboxFile(file: string): Promise<InboxRead> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, entries: [] };
    return { ok: false, reason: `${file}: ${(e as Error).message}` };
  }
  if (text.trim() === '') return { ok: true, entries: [] };
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return { ok: false, reason: `${file}: not a JSON array of messages` };
    return { ok: true, entries: value };
  } catch (e) {
    return { ok: false, reason: `${file}: not valid JSON (${(e as Error).message})` };
  }
}

/** Options of {@link updateInboxFile}. */
export interface UpdateOptions {
  fsync?: boolean;
  /** Called when our lock was taken from us as stale mid-update. */
  onCompromised?: (e: Error) => void;
}

/**
 * A read-modify-write of an inbox file under Claude Code's own lock (proper-lockfile,
 * `lockfilePath: <inbox>.json.lock`): the file is created as `[]` first if missing, re-read
 * under the lock, handed to `change` (which returns the new array, or undefined for no
 * change), and written back whole with every field of every entry kept. Unlike Claude Code
 * we write a temp file and rename it over the inbox, so a crash mid-write never leaves the
 * file truncated. A file that doesn't parse even under the lock is left untouched (throws).
 */
export async function updateInboxFile<T>(file: string, change: (entries: unknown[]) => { entries?: unknown[]; result: T }, opts: UpdateOptions = {}): Promise<T> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await ensureFile(file, '[]');
  return withFileLock(
    { file, lockfilePath: `${file}.lock`, retries: INBOX_RETRIES },
    async () => {
      const read = await readInboxFile(file);
      if (!read.ok) throw new Error(`${read.reason}; it is left as it is`);
      const { entries, result } = change(read.entries);
      if (entries) await writeFileAtomic(file, JSON.stringify(entries, null, 2), { fsync: opts.fsync ?? true });
      return result;
    },
    opts.onCompromised ? { onCompromised: opts.onCompromised } : {},
  );
}

/** Appends `entry` (as unread) unless the same entry is there already. True when it appended. */
export function appendEntry(file: string, entry: InboxEntry, opts: UpdateOptions = {}): Promise<boolean> {
  return updateInboxFile(
    file,
    (entries) => (entries.some((e) => sameEntry(entry, e)) ? { result: false } : { entries: [...entries, { ...entry, read: false }], result: true }),
    opts,
  );
}

/** Marks read every unread entry whose {@link entryKey} is in `keys` (every copy); other fields and entries are kept. */
export function markEntriesRead(file: string, keys: ReadonlySet<string>, opts: UpdateOptions = {}): Promise<number> {
  return updateInboxFile(
    file,
    (entries) => {
      let n = 0;
      const next = entries.map((e) => {
        if (!e || typeof e !== 'object' || Array.isArray(e) || (e as { read?: unknown }).read === true || !keys.has(entryKey(e))) return e;
        n += 1;
        return { ...(e as object), read: true };
      });
      return n > 0 ? { entries: next, result: n } : { result: 0 };
    },
    opts,
  );
}
