import { UserError } from '../errors.js';

/**
 * Faults of the machine rather than of a message: a full disk, an I/O error, a read-only
 * file system, too many open files. They pass (someone frees space, remounts, closes
 * files), so the engine waits them out instead of stopping or spinning (DESIGN §4).
 */
const TRANSIENT = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'EMFILE', 'ENFILE', 'ENOMEM', 'EAGAIN', 'EBUSY']);

/** The errno code of a fault that passes, looking through wrapped causes; undefined for any other error. */
export function transientCode(e: unknown): string | undefined {
  for (let cur = e, depth = 0; cur && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && TRANSIENT.has(code)) return code;
  }
  return undefined;
}

export const isTransient = (e: unknown): boolean => transientCode(e) !== undefined;

const MEANING: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EIO: 'the disk reports I/O errors',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many files are open in this process',
  ENFILE: 'too many files are open on this machine',
  ENOMEM: 'the machine is out of memory',
  EAGAIN: 'a resource is temporarily unavailable',
  EBUSY: 'a file is busy',
};

/** Options of {@link FaultGate}. */
export interface FaultGateOptions {
  /** A fault still there is said again at most this often. @default 5000 */
  repeatMs?: number;
  /** The first wait before a retry. @default 250 */
  firstDelayMs?: number;
  /** The longest wait between retries. @default 5000 */
  maxDelayMs?: number;
  /** Called on each EMFILE or ENFILE: whoever keeps files open for speed closes them. */
  outOfFiles?: () => void;
}

interface Fault {
  code: string;
  where: string;
  since: number;
  saidAt: number;
  failures: number;
  delay: number;
  /** When the next try is due (the last failure plus its wait). */
  dueAt: number;
}

/**
 * Keeps the faults the engine is waiting out, one per kind of work ("taking messages",
 * "recording step plan of t1"). A new fault is said once with what and where; while it
 * lasts it is said again at most every `repeatMs`; when the work succeeds again its end
 * is said. Each failure doubles the wait before the next try, up to `maxDelayMs`.
 * Work that fails and succeeds by turns (some files open, others not, when few are left)
 * is one fault: a fault that comes back within `repeatMs` of its end is taken up again
 * silently, and an end is said at most once every `repeatMs`, so the log never floods.
 */
export class FaultGate {
  private readonly faults = new Map<string, Fault>();
  /** Faults that ended lately, kept `repeatMs` so one that comes back is taken up again silently. */
  private readonly ended = new Map<string, Fault & { endedAt: number }>();
  /** When the end of each work's fault was last said. */
  private readonly endSaid = new Map<string, number>();
  private readonly repeatMs: number;
  private readonly firstDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly outOfFiles: (() => void) | undefined;

  constructor(
    private readonly now: () => number,
    private readonly say: (line: string) => void,
    opts: FaultGateOptions = {},
  ) {
    this.repeatMs = opts.repeatMs ?? 5000;
    this.firstDelayMs = opts.firstDelayMs ?? 250;
    this.maxDelayMs = opts.maxDelayMs ?? 5000;
    this.outOfFiles = opts.outOfFiles;
  }

  /** Notes that `work` failed with a passing fault; returns how long to wait before trying it again. */
  fail(work: string, e: unknown): number {
    const code = transientCode(e) ?? 'EIO';
    const where = (e as NodeJS.ErrnoException).path ?? '';
    const now = this.now();
    if (code === 'EMFILE' || code === 'ENFILE') this.outOfFiles?.();
    let f = this.faults.get(work);
    const back = this.ended.get(work);
    if (!f && back && back.code === code && now - back.endedAt < this.repeatMs) {
      // The same fault again right after it ended: still the one said, not news.
      const { endedAt: _e, ...rest } = back;
      f = rest;
      this.faults.set(work, f);
    }
    this.ended.delete(work);
    if (!f || f.code !== code) {
      f = { code, where, since: now, saidAt: now, failures: 0, delay: this.firstDelayMs, dueAt: now };
      this.faults.set(work, f);
      this.say(`${work} is waiting: ${MEANING[code] ?? code} (${code}${where ? ` at ${where}` : ''}: ${detailOf(e as Error, code, where)}); retrying by itself, nothing is lost`);
    } else if (now - f.saidAt >= this.repeatMs) {
      f.saidAt = now;
      this.say(`${work} still waiting: ${MEANING[code] ?? code} (${code}${f.where ? ` at ${f.where}` : ''}) for ${Math.round((now - f.since) / 1000)} s, ${f.failures + 1} tries`);
    }
    f.failures++;
    const delay = f.delay;
    f.dueAt = now + delay;
    f.delay = Math.min(this.maxDelayMs, f.delay * 2);
    return delay;
  }

  /** Notes that `work` succeeded: a fault it was waiting out is over, and that is said (at most once every `repeatMs`). */
  ok(work: string): void {
    const f = this.faults.get(work);
    if (!f) return;
    this.faults.delete(work);
    const now = this.now();
    this.ended.set(work, { ...f, endedAt: now });
    if (now - (this.endSaid.get(work) ?? -Infinity) < this.repeatMs) return;
    this.endSaid.set(work, now);
    this.say(`${work} goes on: ${f.code} cleared after ${Math.round((now - f.since) / 1000)} s`);
  }

  /**
   * Whether `work` may be tried now: no fault is being waited out, or the wait after its
   * last failure is over. For work tried on every scan (the snapshot caches), so a fault
   * is retried with backoff rather than at the scan's pace.
   */
  due(work: string): boolean {
    const f = this.faults.get(work);
    return !f || this.now() >= f.dueAt;
  }

  /** Whether `work` is waiting out a fault. */
  waiting(work: string): boolean {
    return this.faults.has(work);
  }

  /** The faults being waited out, for views. */
  list(): { work: string; code: string; where: string; since: number }[] {
    return [...this.faults.entries()].map(([work, f]) => ({ work, code: f.code, where: f.where, since: f.since }));
  }
}

/** The system's own words for a fault, without what the line says already (Node's message repeats the code and the path). */
function detailOf(e: Error, code: string, where: string | undefined): string {
  let said = e.message.startsWith(`${code}: `) ? e.message.slice(code.length + 2) : e.message;
  if (where && said.endsWith(` '${where}'`)) said = said.slice(0, -(where.length + 3));
  return said;
}

/** The first scan at start failed: a fault of the workspace (a file system error) is the user's to fix, said so; anything else is a bug, as it was. */
export function firstScanFailed(e: unknown): unknown {
  if (!(e instanceof Error) || (e as NodeJS.ErrnoException).code === undefined) return e;
  return Object.assign(new UserError(`the engine did not start: its first scan of the inbox failed (${e.message}); what was not taken stays in the inbox, and nothing taken is lost. Fix what it names and start again`), { cause: e });
}
