import { markEntriesRead } from './inbox-file.js';
import type { UpdateOptions } from './inbox-file.js';

/**
 * Marks entries of one inbox file read, coalescing: keys asked for while a locked
 * rewrite is under way go together into the next one, so acknowledging a burst of
 * messages rewrites Claude Code's file a few times, not once per message.
 */
export class ReadMarker {
  private pending: { keys: string[]; done: (e?: Error) => void }[] = [];
  private running = false;

  constructor(
    private readonly file: string,
    private readonly opts: UpdateOptions,
  ) {}

  /** Resolves once every copy of these entries is marked read in the file. */
  mark(keys: Iterable<string>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ keys: [...keys], done: (e) => (e ? reject(e) : resolve()) });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0);
        try {
          await markEntriesRead(this.file, new Set(batch.flatMap((b) => b.keys)), this.opts);
          for (const b of batch) b.done();
        } catch (e) {
          for (const b of batch) b.done(e as Error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
