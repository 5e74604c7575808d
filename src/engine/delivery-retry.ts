/** The first retry of a failed delivery comes after this long; each next one waits twice as long. */
export const RETRY_FIRST_MS = 500;
/** ...up to this long between tries, for as long as it takes. */
export const RETRY_MAX_MS = 30_000;

/**
 * Retries a run's undelivered replies while the engine runs (docs/DESIGN.md §4): after a
 * failure the run's outbox is flushed again after 0.5 s, 1 s, 2 s … at most 30 s apart,
 * until everything is delivered, for running and finished runs alike. One timer per run.
 */
export class DeliveryRetry {
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; tries: number }>();
  private stopped = false;

  constructor(private readonly flush: (runId: string) => void) {}

  /** The run still has undelivered replies: try again after the next backoff. */
  schedule(runId: string): void {
    if (this.stopped) return;
    const tries = (this.pending.get(runId)?.tries ?? 0) + 1;
    clearTimeout(this.pending.get(runId)?.timer);
    const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (tries - 1));
    const timer = setTimeout(() => this.flush(runId), delay);
    timer.unref();
    this.pending.set(runId, { timer, tries });
  }

  /** Everything of the run is delivered: forget its backoff. */
  done(runId: string): void {
    clearTimeout(this.pending.get(runId)?.timer);
    this.pending.delete(runId);
  }

  /** Runs waiting for a retry. */
  get waiting(): number {
    return this.pending.size;
  }

  stop(): void {
    this.stopped = true;
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}
