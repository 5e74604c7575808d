import type { Timer } from './run-state.js';

/** One armed timer. `live` is cleared when it is synced away (the heap drops it lazily). */
interface Armed {
  readonly runId: string;
  readonly id: string;
  readonly event: Timer['event'];
  readonly deadline: number;
  live: boolean;
}

/** A run's armed timers: one, or a few (most runs have one or two). */
type Mine = Armed | readonly Armed[];
const list = (m: Mine | undefined): readonly Armed[] => (m === undefined ? [] : Array.isArray(m) ? m : [m as Armed]);

/** setTimeout's limit; a later deadline is waited for in steps. */
const MAX_DELAY = 2 ** 31 - 1;
/**
 * Fired timers being applied at once, at most: after a long stop, thousands of runs' timers
 * are due together, and each reads its run back; the rest fire as these are done.
 */
export const FIRING_AT_ONCE = 64;
/** Distinct timer ids and events shared at most (a machine has a few; a bound all the same). */
const SHARED_KEPT = 4096;

/**
 * The in-memory side of durable timers: deadlines live in the journal (RunState.timers);
 * this arms them from there, again on start. All the runs' timers share one timeout, set
 * for the earliest deadline (a min-heap of them): an idle run costs a few small objects,
 * not a timeout and a closure per timer. Timer ids and events are shared between runs
 * (runs in the same state have the same ones), so 10,000 waiting runs do not hold 20,000
 * copies of the same strings.
 */
export class TimerTable {
  /** Armed timers by run: a run's sync touches only its own (10,000 runs resume in linear time). */
  private readonly armed = new Map<string, Mine>();
  /** Every live armed timer, and some dropped ones not yet popped, earliest deadline first. */
  private heap: Armed[] = [];
  private dead = 0;
  private handle?: NodeJS.Timeout;
  /** The deadline the one timeout is set for. */
  private wakeAt = Infinity;
  private readonly shared = new Map<string, string | Timer['event']>();
  /** Set while the start reads runs back: timers are armed, not fired. */
  private held = false;
  /** Fired timers whose firing has not settled yet. */
  private firing = 0;

  /** `fire` applies a fired timer; the promise it may return says when that is done (at most FIRING_AT_ONCE are pending). */
  constructor(
    private readonly now: () => number,
    private readonly fire: (runId: string, timerId: string, timer: Timer) => Promise<unknown> | void,
  ) {}

  /** Makes the armed timers of `runId` match `timers` exactly. */
  sync(runId: string, timers: Record<string, Timer>): void {
    const mine = list(this.armed.get(runId));
    let keep: Armed[] | undefined;
    for (const a of mine) {
      if (timers[a.id]?.deadline === a.deadline) (keep ??= []).push(a);
      else this.drop(a);
    }
    for (const id in timers) {
      if (keep?.some((a) => a.id === id)) continue;
      const t = timers[id]!;
      const a: Armed = { runId, id: this.intern(id), event: this.internEvent(t.event), deadline: t.deadline, live: true };
      (keep ??= []).push(a);
      this.push(a);
    }
    if (!keep) this.armed.delete(runId);
    else this.armed.set(runId, keep.length === 1 ? keep[0]! : keep.slice());
    this.compact();
    this.schedule();
  }

  /** Arms without firing until {@link start} (the engine's start, while it reads its runs back). */
  hold(): void {
    this.held = true;
    clearTimeout(this.handle);
    this.handle = undefined;
    this.wakeAt = Infinity;
  }

  /** Lets armed timers fire again: those past their deadline at once. */
  start(): void {
    this.held = false;
    this.schedule();
  }

  /**
   * Fires the timers whose deadline has passed by the injected clock (also what the one
   * timeout does; tests move time by hand), at most FIRING_AT_ONCE pending at a time: the
   * others fire as those settle.
   */
  fireDue(): void {
    if (this.held) return;
    const now = this.now();
    const due: Armed[] = [];
    while (this.heap.length > 0 && this.heap[0]!.deadline <= now && this.firing + due.length < FIRING_AT_ONCE) {
      const a = this.pop();
      if (!a.live) {
        this.dead--;
        continue;
      }
      a.live = false;
      this.forget(a);
      due.push(a);
    }
    this.schedule();
    // A copy of the shared event: what the commit does with it stays its own.
    for (const a of due) {
      const pending = this.fire(a.runId, a.id, { event: { ...a.event }, deadline: a.deadline });
      if (!pending) continue;
      this.firing++;
      void pending.then(
        () => this.settled(),
        () => this.settled(),
      );
    }
  }

  private settled(): void {
    this.firing--;
    if (this.firing < FIRING_AT_ONCE && (this.heap[0]?.deadline ?? Infinity) <= this.now()) this.fireDue();
  }

  size(): number {
    return this.heap.length - this.dead;
  }

  /** The runs with armed timers. */
  runs(): number {
    return this.armed.size;
  }

  clear(): void {
    clearTimeout(this.handle);
    this.handle = undefined;
    this.wakeAt = Infinity;
    this.armed.clear();
    this.heap = [];
    this.dead = 0;
  }

  /** Sets the one timeout for the earliest deadline, unless it is set for it already. */
  private schedule(): void {
    if (this.held) return;
    const next = this.heap[0]?.deadline ?? Infinity;
    if (next === this.wakeAt && this.handle) return;
    clearTimeout(this.handle);
    this.handle = undefined;
    this.wakeAt = next;
    if (next === Infinity) return;
    const delay = Math.max(0, next - this.now());
    this.handle = setTimeout(
      () => {
        this.handle = undefined;
        this.wakeAt = Infinity;
        // A deadline past setTimeout's limit: the timeout is set again for what is left.
        if (delay > MAX_DELAY) this.schedule();
        else this.fireDue();
      },
      Math.min(delay, MAX_DELAY),
    );
    this.handle.unref();
  }

  private drop(a: Armed): void {
    if (!a.live) return;
    a.live = false;
    this.dead++;
  }

  /** Removes a fired timer from its run's list. */
  private forget(a: Armed): void {
    const rest = list(this.armed.get(a.runId)).filter((x) => x !== a);
    if (rest.length === 0) this.armed.delete(a.runId);
    else this.armed.set(a.runId, rest.length === 1 ? rest[0]! : rest);
  }

  /** Rebuilds the heap once most of it is dropped timers (each sync drops some). */
  private compact(): void {
    if (this.dead < 64 || this.dead * 2 < this.heap.length) return;
    const live = this.heap.filter((a) => a.live);
    this.heap = [];
    this.dead = 0;
    for (const a of live) this.push(a);
  }

  private push(a: Armed): void {
    const h = this.heap;
    h.push(a);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.deadline <= a.deadline) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = a;
  }

  private pop(): Armed {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]!.deadline < h[l]!.deadline ? r : l;
      if (h[c]!.deadline >= last.deadline) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }

  private intern(id: string): string {
    const known = this.shared.get(id);
    if (typeof known === 'string') return known;
    if (this.shared.size < SHARED_KEPT) this.shared.set(id, id);
    return id;
  }

  /** A timer's event, shared with every run whose timer sends the same one (never handed out: fireDue copies it). */
  private internEvent(event: Timer['event']): Timer['event'] {
    // Most timer events are their type alone: keyed by it without serializing.
    const plain = Object.keys(event).length === 1;
    const key = plain ? `\0t${event.type}` : `\0j${JSON.stringify(event)}`;
    const known = this.shared.get(key);
    if (known !== undefined && typeof known !== 'string') return known;
    const copy = { ...event };
    if (this.shared.size < SHARED_KEPT) this.shared.set(key, copy);
    return copy;
  }
}
