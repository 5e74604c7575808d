import type { Message } from '../protocol/schema.js';
import type { Config } from '../workspace/config-schema.js';
import { deliver } from '../workspace/deliver.js';
import type { InboxEntry } from '../workspace/inbox.js';
import { ackEntry, listInbox, receive, rejectEntry } from '../workspace/inbox.js';
import type { WorkspacePaths } from '../workspace/paths.js';

/** One message waiting in the engine's inbox, read and checked, or with why it can't be. */
export type Inbound =
  | { id: string; name: string; ok: true; message: Message; from: string; key: string }
  | { id: string; name: string; ok: false; reason: string; retry: boolean };

/**
 * The message side of the store (DESIGN §2): claim what waits in the engine's inbox,
 * acknowledge or reject it, deliver replies. The engine sees only this, so folders can
 * give way to a database without touching the engine.
 */
export interface Mailbox {
  /** What waits, oldest first, skipping ids in hand; each read once and checked. */
  claim(now: number, inHand: (id: string) => boolean): Promise<Inbound[]>;
  /** Marks a message processed (after its effects are journaled). */
  ack(item: Inbound): Promise<void>;
  /** Keeps a message that can't be applied aside, with the reason a person reads. */
  reject(item: Inbound, reason: string): Promise<void>;
  /** Delivers to one member; the same key replaces, and is skipped once the member processed it. */
  deliver(recipient: string, message: Message, key: string): Promise<'delivered' | 'already-processed'>;
}

const PARALLEL_READS = 64;

/** The mailbox of inbox folders: `inboxes/<member>/{new,cur,rejected}` (DESIGN §2). */
export function createFolderMailbox(paths: WorkspacePaths, config: Config, opts: { settleMs: number }): Mailbox {
  const self = config.engine.member;
  const entries = new Map<string, InboxEntry>();
  const entryOf = (item: Inbound): InboxEntry => {
    const e = entries.get(item.id);
    if (!e) throw new Error(`${item.name} was not claimed from this mailbox`);
    return e;
  };
  return {
    async claim(now, inHand) {
      for (const id of entries.keys()) if (!inHand(id)) entries.delete(id);
      const listed = (await listInbox(paths, self, { now, settleMs: opts.settleMs })).filter((e) => !inHand(e.path));
      const out: Inbound[] = [];
      for (let i = 0; i < listed.length; i += PARALLEL_READS) {
        const batch = await Promise.all(
          listed.slice(i, i + PARALLEL_READS).map(async (e): Promise<Inbound> => {
            entries.set(e.path, e);
            const r = await receive(paths, config, self, e).catch((err: Error) => ({ ok: false as const, reason: err.message, retry: true }));
            return r.ok ? { id: e.path, name: e.name, ok: true, message: r.message, from: r.from, key: r.key } : { id: e.path, name: e.name, ok: false, reason: r.reason, retry: r.retry ?? false };
          }),
        );
        out.push(...batch);
      }
      return out;
    },
    async ack(item) {
      // No fsync: a lost ack only means the message is read again and recognised by its key.
      await ackEntry(paths, self, entryOf(item), { fsync: false });
      entries.delete(item.id);
    },
    async reject(item, reason) {
      await rejectEntry(paths, self, entryOf(item), reason, { fsync: config.fsync });
      entries.delete(item.id);
    },
    deliver(recipient, message, key) {
      return deliver(paths, recipient, message, key, { fsync: config.fsync });
    },
  };
}
