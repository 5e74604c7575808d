import type { Timer } from './run-state.js';

interface Armed {
  runId: string;
  id: string;
  timer: Timer;
  deadline: number;
  handle: NodeJS.Timeout;
}

/** setTimeout's limit; longer deadlines are re-armed in steps. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * The in-memory side of durable timers: deadlines live in the journal (RunState.timers);
 * this arms one timeout per (run, timer) and re-arms from the journal on start.
 */
export class TimerTable {
  /** Armed timers by run, then by timer id: a run's sync touches only its own (10,000 runs resume in linear time). */
  private readonly armed = new Map<string, Map<string, Armed>>();

  constructor(
    private readonly now: () => number,
    private readonly fire: (runId: string, timerId: string, timer: Timer) => void,
  ) {}

  /** Makes the armed timers of `runId` match `timers` exactly. */
  sync(runId: string, timers: Record<string, Timer>): void {
    const mine = this.armed.get(runId);
    if (mine) {
      for (const [id, t] of mine) {
        if (timers[id]?.deadline !== t.deadline) {
          clearTimeout(t.handle);
          mine.delete(id);
        }
      }
    }
    for (const [id, timer] of Object.entries(timers)) {
      if (!this.armed.get(runId)?.has(id)) this.arm(runId, id, timer);
    }
    if (this.armed.get(runId)?.size === 0) this.armed.delete(runId);
  }

  private arm(runId: string, id: string, timer: Timer): void {
    const delay = Math.max(0, timer.deadline - this.now());
    const handle = setTimeout(
      () => {
        this.remove(runId, id);
        if (delay > MAX_DELAY) this.arm(runId, id, timer);
        else this.fire(runId, id, timer);
      },
      Math.min(delay, MAX_DELAY),
    );
    handle.unref();
    let mine = this.armed.get(runId);
    if (!mine) this.armed.set(runId, (mine = new Map()));
    mine.set(id, { runId, id, timer, deadline: timer.deadline, handle });
  }

  private remove(runId: string, id: string): void {
    const mine = this.armed.get(runId);
    mine?.delete(id);
    if (mine?.size === 0) this.armed.delete(runId);
  }

  /** Fires every timer whose deadline has passed by the injected clock (tests move time by hand). */
  fireDue(): void {
    const now = this.now();
    const due = [...this.armed.values()].flatMap((mine) => [...mine.values()]).filter((t) => t.deadline <= now);
    for (const t of due) {
      clearTimeout(t.handle);
      this.remove(t.runId, t.id);
      this.fire(t.runId, t.id, t.timer);
    }
  }

  size(): number {
    let n = 0;
    for (const mine of this.armed.values()) n += mine.size;
    return n;
  }

  clear(): void {
    for (const mine of this.armed.values()) for (const t of mine.values()) clearTimeout(t.handle);
    this.armed.clear();
  }
}
