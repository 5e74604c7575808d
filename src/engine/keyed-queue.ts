/**
 * Runs tasks one at a time per key and side by side across keys: a run's messages are
 * applied in order while other runs proceed (and share group-committed fsyncs).
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();
  /** Per key, tasks queued and not started yet. */
  private readonly waiting = new Map<string, number>();
  private pending = 0;
  private idleWaiters: (() => void)[] = [];

  /** Queues `task` after every task queued before for `key`; resolves with its result. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    this.pending += 1;
    this.waiting.set(key, (this.waiting.get(key) ?? 0) + 1);
    const result = before.then(() => {
      const n = this.waiting.get(key)! - 1;
      if (n === 0) this.waiting.delete(key);
      else this.waiting.set(key, n);
      return task();
    });
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
      this.pending -= 1;
      if (this.pending === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
    return result;
  }

  /** How many tasks of `key` wait behind the one running (queued, not started yet). */
  queued(key: string): number {
    return this.waiting.get(key) ?? 0;
  }

  /** Whether `key` has queued or running work. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((r) => this.idleWaiters.push(r));
  }
}
