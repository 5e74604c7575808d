import { printable } from '../printable.js';

/** How long a log line may wait for the lines after it: the most a SIGKILL can lose of the log. */
export const LOG_WITHIN_MS = 5;
/** Past this many characters waiting, they are written at once. */
const LOG_BATCH_CHARS = 64 * 1024;

/**
 * The headless engine's log: one timestamped line per call, each made printable and kept
 * on one line (see {@link printable}), written in batches. A transition under load logs
 * thousands of lines a second, and one write each cost the engine more than the lines
 * are worth; so the lines of the next few milliseconds go in one write, whole lines only.
 * What waits is written when the process exits (also after an uncaught error), so only a
 * SIGKILL or a power loss can lose it: at most the last {@link LOG_WITHIN_MS} ms of lines.
 */
export class LineLog {
  private waiting = '';
  private timer: NodeJS.Timeout | undefined;
  private stampedMs = Number.NaN;
  private stamped = '';

  constructor(
    private readonly out: (text: string) => void = (text) => void process.stdout.write(text),
    private readonly withinMs = LOG_WITHIN_MS,
    private readonly now: () => number = Date.now,
  ) {
    process.on('exit', this.flush);
  }

  /** Logs `text` as one line, prefixed with the time in ISO form. */
  readonly line = (text: string): void => {
    this.waiting += `${this.stamp()} ${printable(text, { oneLine: true })}\n`;
    if (this.waiting.length >= LOG_BATCH_CHARS) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(this.flush, this.withinMs);
      // Nothing waits for the log: a process that is done exits, and its exit writes the rest.
      this.timer.unref();
    }
  };

  /** Writes what waits now. */
  readonly flush = (): void => {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiting === '') return;
    const text = this.waiting;
    this.waiting = '';
    this.out(text);
  };

  /** Writes what waits and stops listening for the process's exit. */
  close(): void {
    this.flush();
    process.off('exit', this.flush);
  }

  /** The time as ISO text, made once per millisecond however many lines share it. */
  private stamp(): string {
    const ms = this.now();
    if (ms !== this.stampedMs) {
      this.stampedMs = ms;
      this.stamped = new Date(ms).toISOString();
    }
    return this.stamped;
  }
}
