import { constants, existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Message } from '../../protocol/schema.js';
import type { Config } from '../../workspace/config-schema.js';
import type { WorkspacePaths } from '../../workspace/paths.js';
import type { Delivery, Inbound, Mailbox, Watch } from '../port.js';
import { cleanOrphanTemps } from './clean.js';
import { deliver, forgetDelivery, pruneMarkers, stage } from './deliver.js';
import { Staging } from './spares.js';
import { listInbox, lstatOrUndefined } from './read.js';
import type { InboxEntry } from './read.js';
import { ackEntry, curNameFor, receive, rejectEntry } from './receive.js';
import { RecentRejects } from './retake.js';
import { settleVerdict } from './settle.js';
import { watchInbox } from './watch.js';

export { deliver, deliveryName } from './deliver.js';

export interface FolderMailboxOptions {
  paths: WorkspacePaths;
  config: Config;
  /** The clock file modification times are compared with (the file system's: keep the default outside tests). @default Date.now */
  now?: () => number;
  /** How long an incomplete-looking file must stay unchanged before it is judged. @default config.limits.settleMs */
  settleMs?: number;
  /** What the mailbox keeps of its stagings (its spares, the fsyncs it began); tests bring one to see its spares. @default a new one */
  staging?: Staging;
}

/** A message in hand: where it is now, and the name it takes in cur/. */
interface Claim {
  entry: InboxEntry;
  curName?: string;
}

const PARALLEL_READS = 64;
/** Own moves out of the inbox remembered until their watch event comes. */
const DEPARTED_KEPT = 1024;
/** Orphan temp files of crashed teamstate processes are looked for this often. */
const CLEAN_EVERY_MS = 10 * 60_000;

/**
 * The mailbox of inbox folders (DESIGN §2): the engine's member's `inboxes/<member>/`
 * root and new/ are claimed, processed messages go to cur/, refused ones to rejected/
 * with their reason; replies go to the recipients' tmp/ and then new/ (see deliver.ts).
 * A ref is `cur/<name>` for a message taken (where it will be kept), else its place.
 */
export function createFolderMailbox(opts: FolderMailboxOptions): Mailbox {
  const { paths, config } = opts;
  const self = config.engine.member;
  const inbox = paths.inbox(self);
  const now = opts.now ?? Date.now;
  const settleMs = opts.settleMs ?? config.limits.settleMs;
  const inHand = new Map<string, Claim>();
  const staging = opts.staging ?? new Staging();
  const reserved = new Set<string>();
  const recent = new RecentRejects(paths, self, now, config.fsync);
  let rejecting: Promise<unknown> = Promise.resolve();
  let cleanedAt = Number.NEGATIVE_INFINITY;
  let wakeLater: ((afterMs: number) => void) | undefined;
  /** Listed, oldest first, not yet looked at (see claim). */
  let listed: InboxEntry[] = [];
  const origin = (e: InboxEntry): string => `inboxes/${self}/${e.where === 'new' ? 'new/' : ''}${e.name}`;
  const taken = async (name: string): Promise<boolean> => reserved.has(name) || (await lstatOrUndefined(path.join(inbox.cur, name))) !== undefined;
  /**
   * Entries this mailbox moved out of the inbox root or new/ (acked, rejected) whose watch
   * event has not come yet: that event is no news, and wakes nothing (one scan less per
   * message). At most DEPARTED_KEPT; one that never comes is forgotten in time.
   */
  const departed = new Set<string>();
  const departs = (file: string): void => {
    departed.add(file);
    if (departed.size > DEPARTED_KEPT) departed.delete(departed.values().next().value!);
  };
  // Its own move, unless a file of that name came since (then the event may be its arrival).
  const own = (file: string): boolean => departed.delete(file) && !existsSync(file);
  const drop = (ref: string): Claim | undefined => {
    const c = inHand.get(ref);
    inHand.delete(ref);
    if (c?.curName) reserved.delete(c.curName);
    return c;
  };

  async function take(e: InboxEntry, at: number): Promise<Inbound | undefined> {
    const r = await receive(config, self, e).catch((err: Error) => ({ ok: false as const, reason: err.message, retry: true }));
    if (!r.ok && r.retry) return undefined;
    const verdict = settleVerdict(r, e.mtimeMs, at, settleMs);
    if (verdict === 'wait') {
      wakeLater?.(e.mtimeMs + settleMs - at + 20);
      return undefined;
    }
    if (!r.ok || verdict === 'reject') {
      const ref = `${e.where}/${e.name}`;
      if (inHand.has(ref)) return undefined;
      inHand.set(ref, { entry: e });
      return { ref, origin: origin(e), ok: false, reason: r.ok ? 'it never came whole' : r.reason };
    }
    let curName = curNameFor(e.name, r.key, () => false);
    if (await taken(curName)) curName = curNameFor(e.name, r.key, () => true);
    const ref = `cur/${curName}`;
    if (inHand.has(ref) || reserved.has(curName)) return undefined;
    reserved.add(curName);
    inHand.set(ref, { entry: e, curName });
    return { ref, origin: origin(e), ok: true, message: r.message, from: r.from, key: r.key };
  }

  return {
    async claim(max = Number.POSITIVE_INFINITY) {
      const at = now();
      if (listed.length === 0) {
        if (at - cleanedAt >= CLEAN_EVERY_MS) {
          cleanedAt = at;
          await cleanOrphanTemps(paths, config.members);
        }
        await recent.retakeChanged();
        const busy = new Set([...inHand.values()].map((c) => c.entry.path));
        listed = (await listInbox(paths, self)).filter((e) => !busy.has(e.path));
      }
      // One listing serves the claims that follow until each entry in it was looked at:
      // a burst is read a chunk at a time, oldest first, and not listed again per chunk.
      const out: Inbound[] = [];
      while (out.length < max && listed.length > 0) {
        const batch = listed.splice(0, Math.min(PARALLEL_READS, max - out.length));
        for (const item of await Promise.all(batch.map((e) => take(e, at)))) if (item) out.push(item);
      }
      return out;
    },
    async ack(ref) {
      const c = inHand.get(ref);
      if (!c) return;
      // No fsync: a lost ack only means the message is read again and recognised by its key.
      departs(c.entry.path);
      await ackEntry(paths, self, c.entry, c.curName ?? c.entry.name, { fsync: false });
      drop(ref);
    },
    async reject(ref, reason) {
      const c = inHand.get(ref);
      if (!c) return;
      // One at a time: rejected/ names are chosen by looking.
      const done = rejecting.then(async () => {
        departs(c.entry.path);
        const where = await rejectEntry(paths, self, c.entry, reason, { fsync: config.fsync });
        recent.add(where, c.entry);
      });
      rejecting = done.catch(() => undefined);
      try {
        await done;
      } finally {
        drop(ref);
      }
    },
    release(ref) {
      const c = drop(ref);
      // Offered again by the next claim in its place by age, before anything newer (with no
      // listing left, the next claim lists the inbox anew and finds it there).
      if (c && listed.length > 0) listed.splice(placeOf(listed, c.entry), 0, c.entry);
    },
    deliver(recipient: string, message: Message, key: string, opts?: { staged?: boolean; as?: string }): Promise<Delivery> {
      return deliver(paths, recipient, message, key, { fsync: config.fsync, staged: opts?.staged ?? false, staging, ...(opts?.as !== undefined ? { as: opts.as } : {}) });
    },
    stage(recipient: string, message: Message, key: string): Promise<boolean | { as: string }> {
      return stage(paths, recipient, message, key, { fsync: config.fsync, staging });
    },
    forget(recipient: string, key: string): Promise<void> {
      return forgetDelivery(paths, recipient, key);
    },
    prune(keep, before) {
      return pruneMarkers(paths, keep, before, config.members);
    },
    watch(wake, onError): Watch {
      const w = watchInbox(inbox, wake, onError, own);
      wakeLater = w.later;
      return {
        close: async () => {
          wakeLater = undefined;
          await w.close();
        },
      };
    },
    async original(ref) {
      const c = inHand.get(ref);
      const file = c ? c.entry.path : ref.startsWith('cur/') ? path.join(inbox.cur, path.basename(ref.slice(4))) : undefined;
      return file === undefined ? undefined : readNoFollow(file, config.limits.maxMessageBytes);
    },
  };
}

/** Where `e` goes in `sorted` (oldest first, then by name, as listInbox sorts). */
function placeOf(sorted: readonly InboxEntry[], e: InboxEntry): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = sorted[mid]!;
    if (m.mtimeMs < e.mtimeMs || (m.mtimeMs === e.mtimeMs && m.name.localeCompare(e.name) <= 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A file's text, never through a symlink; undefined when it is not there (or not a file). */
async function readNoFollow(file: string, maxBytes: number): Promise<string | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    if (!(await handle.stat()).isFile()) return undefined;
    const buf = Buffer.alloc(maxBytes);
    const { bytesRead } = await handle.read(buf, 0, maxBytes, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

// What the CLI reads of the folders for people (`teamstate inbox`, `validate`).
export { describeParseError, senderFromFileName } from '../check.js';
export { kindOf, listInbox, readEntry, readEntryChecked } from './read.js';
export type { InboxEntry } from './read.js';
export { listInboxReport } from './report.js';
export type { InboxReport, InboxReportItem } from './report.js';
