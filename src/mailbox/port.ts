import type { Message } from '../protocol/schema.js';

/**
 * The mailbox port: how the engine takes messages in and sends replies, whatever holds
 * them (inbox folders, Claude Code's JSON inboxes, a database). The engine knows only
 * this. Each adapter passes the conformance suite in tests/mailbox/.
 *
 * The contract, in short:
 * - `claim` returns each waiting message once: a claimed message is "in hand" (tracked by
 *   the adapter, nowhere else) until `ack`, `reject` or `release` ends the claim.
 *   A message that is not ready (still being written) is not returned; the adapter waits.
 *   `claim(max)` returns at most `max`, the oldest first; the next claim goes on with the
 *   next oldest, so a burst is taken in bounded chunks, the first applied while the rest
 *   are still unread. `[]` means nothing more can be taken now.
 * - The engine journals what a message did, then acks it. A crash between the two means
 *   the message is claimed again after a restart with the same `key`, and recognised.
 * - `deliver` puts a reply in a member's mailbox exactly once per (`key`, recipient):
 *   calling it again with the same key, after a crash at any instant, never makes a
 *   second copy, whatever the recipient did with the first (read, moved, deleted it).
 * - Nothing the engine keeps names a file: it keeps the opaque `ref` and shows `origin`.
 */
export interface Mailbox {
  /** The messages waiting in the engine's own mailbox, oldest first, not already in hand; each read once and checked. At most `max` (default: all). */
  claim(max?: number): Promise<Inbound[]>;
  /** Marks a claimed message processed (after what it did is journaled). Safe to repeat. */
  ack(ref: string): Promise<void>;
  /** Keeps a claimed message aside with the reason a person reads; it is never lost. */
  reject(ref: string, reason: string): Promise<void>;
  /** Gives a claimed message back untouched (it could not be taken now); the next claim offers it again, in its place by age (before anything newer). */
  release(ref: string): void;
  /**
   * Delivers `message` to `recipient` once for `key` (see above). Throws when it cannot now;
   * the caller retries. `staged`: `stage` staged this copy before the record that sends it
   * was journaled, so a staged copy that is gone was handed over. `as`: the name `stage`
   * resolved for it (`{ as }`), as the record keeps it; the adapter makes the copy's content
   * durable before it hands it over (it may write it again from `message`).
   */
  deliver(recipient: string, message: Message, key: string, opts?: { staged?: boolean; as?: string }): Promise<Delivery>;
  /**
   * Optional, for speed: stages the reply where only `deliver` hands it over, before the
   * engine journals the record that sends it. Resolves true when it is staged and durable
   * (then `deliver` is called with `staged: true`), `{ as }` when it is staged under the
   * adapter's name `as`, a name that was durable before this call, with its content not
   * yet durable (the engine journals `as` with the record and passes it to `deliver`, which
   * makes the content durable before the hand-over), false when it is not staged (`deliver`
   * does all). Never rejects: a copy that could not be staged is delivered the long way.
   */
  stage?(recipient: string, message: Message, key: string): Promise<boolean | { as: string }>;
  /** Optional: the engine has journaled that `key` reached `recipient`; what the adapter kept to know that may go. */
  forget?(recipient: string, key: string): Promise<void>;
  /**
   * Optional, at start: drops what the adapter keeps to know a delivery happened for every
   * delivery but those in `keep` (the replies journaled and not yet delivered, with the
   * name each was staged `as`, if any), among what it kept before `before` (ms since the
   * epoch, wall clock). Resolves how many went.
   */
  prune?(keep: { recipient: string; key: string; as?: string }[], before: number): Promise<number>;
  /** Calls `wake` soon after something may have arrived. A hint only: callers also claim on a timer. */
  watch(wake: () => void, onError?: (message: string) => void): Watch;
  /** The message as it was received (its whole text), for a person to read; undefined when no longer kept. */
  original(ref: string): Promise<string | undefined>;
}

/** One message claimed from the mailbox: read and checked, or why it can't be applied. */
export type Inbound =
  | {
      /** The adapter's handle on this message; opaque to everyone else, kept in the journal. */
      ref: string;
      /** Where it came from, for people (e.g. `inboxes/backend-engineer/new/x.md`). */
      origin: string;
      ok: true;
      message: Message;
      /** The sender, checked against the team. */
      from: string;
      /** The message's identity: the same after a re-claim (crash, lost ack), different for another message. */
      key: string;
    }
  | { ref: string; origin: string; ok: false; reason: string };

/** `already-delivered`: this key reached the recipient before (nothing was written now). */
export type Delivery = 'delivered' | 'already-delivered';

/** A running watch; `close` stops it. */
export interface Watch {
  close(): Promise<void>;
}
