import type { Timer } from './run-state.js';

/** setTimeout's limit; longer deadlines are re-armed in steps. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * The in-memory side of durable timers: deadlines live in the journal (RunState.timers);
 * this arms one timeout per (run, timer) and re-arms from the journal on start.
 */
export class TimerTable {
  private readonly armed = new Map<string, { runId: string; id: string; timer: Timer; deadline: number; handle: NodeJS.Timeout }>();

  constructor(
    private readonly now: () => number,
    private readonly fire: (runId: string, timerId: string, timer: Timer) => void,
  ) {}

  /** Makes the armed timers of `runId` match `timers` exactly. */
  sync(runId: string, timers: Record<string, Timer>): void {
    const prefix = `${runId}\0`;
    for (const [key, t] of this.armed) {
      if (key.startsWith(prefix) && timers[key.slice(prefix.length)]?.deadline !== t.deadline) {
        clearTimeout(t.handle);
        this.armed.delete(key);
      }
    }
    for (const [id, timer] of Object.entries(timers)) {
      const key = prefix + id;
      if (!this.armed.has(key)) this.arm(key, runId, id, timer);
    }
  }

  private arm(key: string, runId: string, id: string, timer: Timer): void {
    const delay = Math.max(0, timer.deadline - this.now());
    const handle = setTimeout(
      () => {
        this.armed.delete(key);
        if (delay > MAX_DELAY) this.arm(key, runId, id, timer);
        else this.fire(runId, id, timer);
      },
      Math.min(delay, MAX_DELAY),
    );
    handle.unref();
    this.armed.set(key, { runId, id, timer, deadline: timer.deadline, handle });
  }

  /** Fires every timer whose deadline has passed by the injected clock (tests move time by hand). */
  fireDue(): void {
    const now = this.now();
    for (const [key, t] of [...this.armed]) {
      if (t.deadline <= now) {
        clearTimeout(t.handle);
        this.armed.delete(key);
        this.fire(t.runId, t.id, t.timer);
      }
    }
  }

  size(): number {
    return this.armed.size;
  }

  clear(): void {
    for (const t of this.armed.values()) clearTimeout(t.handle);
    this.armed.clear();
  }
}
