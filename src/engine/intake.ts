import { messageDigest } from '../mailbox/key.js';
import type { Start } from '../../machines/entry.js';
import type { Inbound } from '../mailbox/port.js';
import type { Message } from '../protocol/schema.js';
import { firstLine } from '../protocol/text.js';
import type { RunCore } from './core.js';
import { QuarantinedError, ReusedIdError } from './core.js';
import { isTransient } from './faults.js';
import { taskFor } from './tasks.js';
import { migrate } from './recover.js';
import { keyRunId, route, runIdOf } from './route.js';

/** Tries of a message whose applying throws before it is kept aside with the error. */
export const MAX_TRIES = 3;
/** Messages claimed at a time. */
const CHUNK = 64;
/** Messages being applied at once, at most. */
const IN_FLIGHT = 128;
/** Messages applied at once when a burst begins. */
const FIRST_WINDOW = 8;
/** After this long without a message done, the next scan begins with FIRST_WINDOW again. */
const QUIET_MS = 1_000;

/**
 * The runs a message may go to that memory may not hold (finished, or a run of an earlier
 * process): the one it names (by task, or by a reply to one of its messages), and for a
 * message that starts a run under an [ID:] without naming a task, the run its key gives
 * (route.ts), so that a copy of it, or another message under that ID, meets that run's
 * `seen`. (Without an ID the key is the delivery's: a copy is another delivery, another run.)
 */
function namedRuns(m: Message, key: string, starts: Start | undefined): string[] {
  if (m.task) return [runIdOf(m.task)];
  const reply = m.replyTo?.replace(/\.\d+$/, '');
  const started = starts?.ok && key.startsWith('id:') ? keyRunId(key) : undefined;
  return reply === undefined ? (started === undefined ? [] : [started]) : started === undefined ? [reply] : [reply, started];
}

/**
 * Takes the engine's own inbox in: every waiting message is claimed once, routed to its
 * run, applied through the run's queue, and only then acknowledged. Invalid or unroutable
 * ones are kept aside with their reason, and so is one whose applying keeps throwing
 * (after MAX_TRIES, with the error). Which messages are in hand is the mailbox's to know
 * (a claim ends with ack, reject or release).
 */
export class Intake {
  private taking = 0;
  /** While a fault of the disk lasts, scans wait until then (Date.now) instead of failing again and again. */
  pausedUntil = 0;
  private retryIn = 0;
  /** How many messages may be applied at once now (see scan). */
  private window = FIRST_WINDOW;
  /** When a message was last done (Date.now). */
  private lastDoneAt = 0;
  /** Messages whose applying threw, by ref: how many times. Kept aside at MAX_TRIES. */
  private readonly failures = new Map<string, number>();

  /** Set by stop(): the pass in progress claims nothing more; what it holds is finished. */
  private stopping = false;
  /** A wake-up came during the pass in progress: it claims again instead of only waiting for what it holds. */
  private woken = false;
  private wakeWaiter: (() => void) | undefined;

  constructor(private readonly engine: RunCore) {}

  /** The engine stops: no more messages are claimed (what is in hand is applied and acknowledged). */
  stop(): void {
    this.stopping = true;
  }

  /**
   * Something new may be in the inbox (a watcher's wake-up) while a pass is in progress:
   * once it has claimed what it listed, the pass lists and claims again rather than waiting
   * for the messages in hand to be done first. A message that comes while the one before it
   * is finishing (its delivery made durable, its ack) is read and routed meanwhile; it is
   * still queued behind that one in its run's queue, in arrival order.
   */
  nudge(): void {
    this.woken = true;
    this.wakeWaiter?.();
  }

  /** Messages currently being applied. */
  get busy(): number {
    return this.taking;
  }

  /**
   * One pass over the inbox; resolves when every message it took is applied and
   * acknowledged. Messages are claimed a chunk at a time and routed in arrival order (so
   * a run's messages are queued in the order they came), and at most IN_FLIGHT are being
   * applied at once: in a burst the first replies go out while the rest are still unread,
   * and what is held in memory stays bounded.
   */
  async scan(): Promise<void> {
    if (Date.now() < this.pausedUntil) return;
    this.retryIn = 0;
    const applying = new Set<Promise<void>>();
    // Slow start after a quiet spell: the first messages of a burst are applied nearly alone,
    // so their replies go out at once; each one done lets one more in, up to IN_FLIGHT (the
    // window doubles per round). A steady stream keeps the window open from scan to scan.
    if (Date.now() - this.lastDoneAt > QUIET_MS) this.window = FIRST_WINDOW;
    // The listing below sees whatever a wake-up until now was about.
    this.woken = false;
    try {
      for (;;) {
        while (this.retryIn === 0 && !this.stopping) {
          while (applying.size >= this.window) await Promise.race(applying);
          if (this.stopping) break;
          let items: Inbound[];
          try {
            items = await this.engine.deps.mailbox.claim(Math.min(CHUNK, this.window - applying.size));
          } catch (e) {
            if (!isTransient(e)) throw e;
            this.pausedUntil = Date.now() + this.engine.faults.fail('reading the inbox', e);
            return;
          }
          this.engine.faults.ok('reading the inbox');
          if (items.length === 0) break;
          const absent = await this.lookUp(items);
          for (const item of items) {
            this.taking += 1;
            const p: Promise<void> = this.take(item, absent).finally(() => {
              this.taking -= 1;
              applying.delete(p);
              this.window = Math.min(IN_FLIGHT, this.window + 1);
              this.lastDoneAt = Date.now();
            });
            applying.add(p);
          }
        }
        // What is in hand is finished; a wake-up meanwhile (see nudge) claims again at once.
        while (applying.size > 0 && !this.woken && this.retryIn === 0 && !this.stopping) {
          await new Promise<void>((resolve) => {
            this.wakeWaiter = resolve;
            void Promise.race(applying).then(resolve, resolve);
          });
          this.wakeWaiter = undefined;
        }
        if (!this.woken || this.retryIn > 0 || this.stopping) break;
        this.woken = false;
      }
    } finally {
      await Promise.all(applying);
    }
    if (this.retryIn > 0) this.pausedUntil = Date.now() + this.retryIn;
  }

  /**
   * Brings into memory, side by side, the finished runs a chunk's messages name, and
   * returns the names no store holds: routing then goes in order with nothing to wait for.
   * Whether a run is held is asked without reading it: a run left on disk is read back
   * when its message is taken, where a passing fault (EMFILE, EIO) leaves that message in
   * the inbox to be tried again instead of failing the whole pass.
   */
  private async lookUp(items: Inbound[]): Promise<Set<string>> {
    const { engine } = this;
    const names = new Set<string>();
    for (const item of items) {
      if (!item.ok) continue;
      for (const named of namedRuns(item.message, item.key, engine.entry.starts(item.message, item.from))) {
        if (!engine.creating.has(named) && !engine.held.has(named)) names.add(named);
      }
    }
    const absent = new Set<string>();
    await Promise.all(
      [...names].map(async (id) => {
        // A failure here is met again, and handled, when the message itself is taken.
        const found = await engine.held.revive(id, (s) => migrate(engine, s)).catch(() => null);
        if (found === undefined) absent.add(id);
      }),
    );
    return absent;
  }

  private async take(rec: Inbound, absent: ReadonlySet<string>): Promise<void> {
    const { engine } = this;
    const { paths, mailbox } = engine.deps;
    try {
      if (!rec.ok) {
        await mailbox.reject(rec.ref, rec.reason);
        engine.warn(`rejected ${rec.origin}: ${rec.reason}`);
        return;
      }
      const m = rec.message;
      // A run that finished is in the store, not in memory: a late message for it goes to it, never to a new run of the same id.
      const { entry } = engine;
      const starts = entry.starts(m, rec.from);
      for (const named of namedRuns(m, rec.key, starts)) {
        if (!engine.creating.has(named) && !engine.get(named) && !absent.has(named)) await engine.held.revive(named, (s) => migrate(engine, s));
      }
      const r = route(
        m,
        rec.key,
        {
          exists: (id) => engine.get(id) !== undefined || engine.creating.has(id),
          active: () => engine.runs.active(),
          startHint: entry.startHint,
        },
        starts,
      );
      if (r.kind === 'unrouted') {
        await mailbox.reject(rec.ref, `unrouted: ${r.reason}`);
        engine.warn(`kept ${rec.origin} aside: ${r.reason}`);
        return;
      }
      const quarantined = r.kind === 'run' ? engine.get(r.runId)?.quarantined : undefined;
      if (quarantined) throw new QuarantinedError(r.runId, quarantined.reason);
      const event = entry.event(m, rec.from, m.id ?? rec.key);
      if (r.kind === 'new' && !engine.get(r.runId) && !engine.creating.has(r.runId)) {
        const refused = engine.refusesToStart(event);
        if (refused) {
          await mailbox.reject(rec.ref, refused);
          engine.warn(`kept ${rec.origin} aside: ${refused}`);
          return;
        }
      }
      // An [ID:] names the message, not what it says: the digest tells a copy from another message reusing the ID (seen.ts).
      const digest = rec.key.startsWith('id:') ? { digest: messageDigest(m) } : {};
      const source = { kind: 'message' as const, key: rec.key, ...digest, ref: rec.ref, origin: rec.origin, from: rec.from, type: m.type, priority: m.priority, firstLine: firstLine(m.body), ...(m.task ? { task: m.task } : {}) };
      if (r.kind === 'new') {
        engine.creating.add(r.runId);
        // Its journal is made while the message is applied, not after (an empty one a crash leaves is no run: quarantine.ts).
        engine.deps.store.prepare?.(r.runId);
      }
      await engine
        .queue.run(r.runId, async () => {
          if (r.kind === 'new' && !engine.get(r.runId)) {
            // Without a task file the message itself describes the task; it is in the context already.
            await engine.createWith(r.runId, await taskFor(paths, r.taskId, { subject: r.subject, description: '' }), source, { ...event });
          } else await engine.commit(r.runId, source, { ...event });
        })
        .finally(() => {
          if (r.kind === 'new') engine.creating.delete(r.runId);
        });
      engine.faults.ok('taking messages');
      this.failures.delete(rec.ref);
      try {
        await mailbox.ack(rec.ref);
        engine.faults.ok('moving processed messages aside');
      } catch (e) {
        // Applied and journaled: only the ack waits; the next claim recognises the message by its key.
        if (!isTransient(e)) throw e;
        mailbox.release(rec.ref);
        engine.faults.fail('moving processed messages aside', e);
      }
    } catch (e) {
      if (e instanceof ReusedIdError && rec.ok) {
        // Another message under an ID already applied: kept, with why, for its sender to send again with a new ID.
        await mailbox.reject(rec.ref, e.message).then(
          () => engine.warn(`kept ${rec.origin} aside: ${e.message}`),
          (err: Error) => {
            mailbox.release(rec.ref);
            engine.warn(`could not set ${rec.origin} aside: ${err.message}`);
          },
        );
        return;
      }
      if (e instanceof QuarantinedError && rec.ok) {
        // Kept, with why: a person restores the run, then puts the message back.
        await mailbox.reject(rec.ref, `${e.message}; put this message back once the run is restored`).catch((err: Error) => {
          mailbox.release(rec.ref);
          engine.warn(`could not set ${rec.origin} aside: ${err.message}`);
        });
        return;
      }
      if (isTransient(e)) {
        // The disk, not the message: it stays in the inbox, and scans wait before trying again.
        mailbox.release(rec.ref);
        this.retryIn = Math.max(this.retryIn, engine.faults.fail('taking messages', e));
        return;
      }
      const code = (e as NodeJS.ErrnoException).code;
      // Deleted by its writer while we read it: nothing left to keep.
      if (code === 'ENOENT') return mailbox.release(rec.ref);
      const message = e instanceof Error ? e.message : String(e);
      // A full disk or a read-only folder clears by itself; an error of the message's own (a bug it hits) does not.
      const tries = code === undefined ? (this.failures.get(rec.ref) ?? 0) + 1 : 0;
      if (tries < MAX_TRIES) {
        mailbox.release(rec.ref);
        if (tries > 0) this.failures.set(rec.ref, tries);
        engine.warn(`could not take ${rec.origin}: ${message}; it stays in the inbox and is tried again`);
        return;
      }
      this.failures.delete(rec.ref);
      const reason = `could not be applied in ${MAX_TRIES} tries: ${message}`;
      try {
        await mailbox.reject(rec.ref, reason);
        engine.warn(`kept ${rec.origin} aside: ${reason}`);
      } catch (again) {
        mailbox.release(rec.ref);
        engine.warn(`could not take ${rec.origin}: ${message}; keeping it aside failed too (${again instanceof Error ? again.message : String(again)}); it stays in the inbox`);
      }
    }
  }
}
