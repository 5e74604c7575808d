import { renderMessage } from '../protocol/render.js';
import type { Message } from '../protocol/schema.js';
import type { Config } from '../workspace/config-schema.js';
import { checkInbound } from './check.js';
import { messageKey } from './key.js';
import type { Delivery, Inbound, Mailbox, Watch } from './port.js';

/**
 * What in-memory mailboxes hold, shared by every adapter made over it, as folders are
 * shared by the processes that open them: a new {@link MemoryMailbox} over the same
 * `MemoryMail` is the engine after a restart.
 */
export interface MemoryMail {
  /** Sent to the engine's member and not yet processed. */
  waiting: { id: number; origin: string; text: string }[];
  /** Processed (acked): ref → text. */
  processed: Map<string, string>;
  /** Refused, with the reason. */
  rejected: { origin: string; text: string; reason: string }[];
  /** What each member has been handed, in order (they may take it away: see `take`). */
  boxes: Map<string, { key: string; text: string }[]>;
  /** `key\0recipient` of every reply handed over. */
  handed: Set<string>;
  /** Watchers of the engine's member's mailbox. */
  wakes: Set<() => void>;
  next: number;
}

export function emptyMail(): MemoryMail {
  return { waiting: [], processed: new Map(), rejected: [], boxes: new Map(), handed: new Set(), wakes: new Set(), next: 1 };
}

/**
 * A mailbox in memory, for tests: the engine's member's messages are texts put with
 * {@link put}, checked as the folder adapter checks files; replies are kept per member.
 */
export class MemoryMailbox implements Mailbox {
  private readonly inHand = new Set<number>();

  constructor(
    private readonly config: Config,
    readonly mail: MemoryMail = emptyMail(),
  ) {}

  /** A peer sends `text` to the engine's member; returns its origin label. */
  put(text: string, origin?: string): string {
    const id = this.mail.next++;
    const label = origin ?? `memory/${id}`;
    this.mail.waiting.push({ id, origin: label, text });
    for (const wake of this.mail.wakes) wake();
    return label;
  }

  /** What `member` holds now, oldest first. */
  box(member: string): { key: string; text: string }[] {
    return this.mail.boxes.get(member) ?? [];
  }

  /** `member` takes everything out of its box (reads and discards it, as a consuming peer does). */
  take(member: string): { key: string; text: string }[] {
    const all = this.box(member);
    this.mail.boxes.set(member, []);
    return all;
  }

  async claim(max = Number.POSITIVE_INFINITY): Promise<Inbound[]> {
    const member = this.config.engine.member;
    const out: Inbound[] = [];
    for (const w of this.mail.waiting) {
      if (out.length >= max) break;
      if (this.inHand.has(w.id)) continue;
      this.inHand.add(w.id);
      const bytes = new TextEncoder().encode(w.text);
      const checked = checkInbound(this.config, member, bytes);
      const ref = `m${w.id}`;
      out.push(checked.ok ? { ref, origin: w.origin, ok: true, message: checked.message, from: checked.from, key: messageKey(checked.message, bytes, `memory:${w.id}`) } : { ref, origin: w.origin, ok: false, reason: checked.reason });
    }
    return out;
  }

  async ack(ref: string): Promise<void> {
    const w = this.end(ref);
    if (w) this.mail.processed.set(ref, w.text);
  }

  async reject(ref: string, reason: string): Promise<void> {
    const w = this.end(ref);
    if (w) this.mail.rejected.push({ origin: w.origin, text: w.text, reason });
  }

  release(ref: string): void {
    this.inHand.delete(Number(ref.slice(1)));
  }

  async deliver(recipient: string, message: Message, key: string): Promise<Delivery> {
    const id = `${key}\0${recipient}`;
    if (this.mail.handed.has(id)) return 'already-delivered';
    this.mail.handed.add(id);
    this.mail.boxes.set(recipient, [...this.box(recipient), { key, text: renderMessage(message) }]);
    return 'delivered';
  }

  watch(wake: () => void): Watch {
    this.mail.wakes.add(wake);
    return { close: async () => void this.mail.wakes.delete(wake) };
  }

  async original(ref: string): Promise<string | undefined> {
    return this.mail.processed.get(ref) ?? this.mail.waiting.find((w) => `m${w.id}` === ref)?.text;
  }

  private end(ref: string): { origin: string; text: string } | undefined {
    const id = Number(ref.slice(1));
    if (!this.inHand.has(id)) return undefined;
    this.inHand.delete(id);
    const i = this.mail.waiting.findIndex((w) => w.id === id);
    if (i === -1) return undefined;
    const [w] = this.mail.waiting.splice(i, 1);
    return w;
  }
}
