/** One append waiting for its batch. */
export interface PendingAppend {
  runId: string;
  /** The framed lines of its records. */
  data: Buffer;
  firstSeq: number;
  lastSeq: number;
  /** Checksum of the last record. */
  lastCrc: string;
  records: number;
}

/** One run's share of a batch, its appends in the order they were issued. */
export type RunShare = [runId: string, appends: PendingAppend[]];

/**
 * Writes a chunk of a batch and makes it durable. Returns, per run and per append,
 * undefined when it is on disk, else why it failed. Must not throw.
 */
export type CommitChunk = (chunk: RunShare[]) => Promise<(Error | undefined)[][]>;

interface Waiting extends PendingAppend {
  resolve(): void;
  reject(e: unknown): void;
}

/**
 * Group commit: appends issued while a batch is being written and fsynced wait, and go
 * together in the next batch, so a busy engine pays one round of fsyncs per batch
 * instead of one per append. Each append's promise resolves only after its share of the
 * batch is durable. A batch is committed in chunks of at most `maxRunsPerChunk` runs
 * (bounded by open files).
 */
export class GroupCommit {
  private queue: Waiting[] = [];
  private running: Promise<void> | undefined;
  /** Batches committed so far. */
  batches = 0;

  constructor(
    private readonly commitChunk: CommitChunk,
    private readonly maxRunsPerChunk: number,
  ) {}

  /** Queues an append; resolves once it is durable. */
  enqueue(append: PendingAppend): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ...append, resolve, reject });
      // Start on a microtask so appends issued in the same tick share the first batch.
      this.running ??= Promise.resolve().then(() => this.loop());
    });
  }

  /** Resolves when every queued append has settled. */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        this.batches++;
        await this.commitBatch(batch);
      }
    } finally {
      this.running = undefined;
    }
  }

  private async commitBatch(batch: Waiting[]): Promise<void> {
    const byRun = new Map<string, Waiting[]>();
    for (const a of batch) {
      const list = byRun.get(a.runId);
      if (list) list.push(a);
      else byRun.set(a.runId, [a]);
    }
    const runs = [...byRun.entries()];
    for (let i = 0; i < runs.length; i += this.maxRunsPerChunk) {
      const chunk = runs.slice(i, i + this.maxRunsPerChunk);
      let results: (Error | undefined)[][];
      try {
        results = await this.commitChunk(chunk);
      } catch (e) {
        const failure = e instanceof Error ? e : new Error(String(e));
        results = chunk.map(([, appends]) => appends.map(() => failure));
      }
      chunk.forEach(([, appends], r) =>
        appends.forEach((a, k) => {
          const failure = results[r]?.[k];
          if (failure) a.reject(failure);
          else a.resolve();
        }),
      );
    }
  }
}
