import { randomBytes } from 'node:crypto';
import { promises as fs, renameSync } from 'node:fs';
import path from 'node:path';

/** Spare files kept ready per folder. */
const KEEP = 2;

/**
 * Empty files made ahead of need in a folder (a recipient's tmp/), so that staging a reply
 * renames one into place instead of making a file: making a file is the dearest call of a
 * reply here (0.1–0.3 ms of kernel time, against 15 µs for a rename), and a reply's
 * staging waits on it. The spares are made in the background, on libuv's pool, when the
 * caller asks ({@link refill}): once a reply's staging is over and it is handed over, not
 * while it is staged, as making a file holds its folder locked and a staging that takes a
 * spare in the same folder meanwhile waited for it. They are named as writeFileAtomic's
 * temp files (`.spare.<pid>.<hex>.tmp`: dot-named, skipped by every reader of a folder), so
 * those a process leaves behind are removed with its other temp files once it is gone
 * (clean.ts). Nothing about durability changes: the staged file is written and fsynced,
 * and its folder fsynced, as a file just made would be.
 */
export class SpareFiles {
  private readonly ready = new Map<string, string[]>();
  private readonly filling = new Set<string>();

  constructor(private readonly keep = KEEP) {}

  /**
   * Renames a spare file of `dir` to `file` (replacing what is there, never following a
   * link: rename moves names). False when none is ready (the caller makes the file, and
   * calls {@link refill} once done with it).
   */
  take(dir: string, file: string): boolean {
    const spare = this.ready.get(dir)?.pop();
    if (spare === undefined) return false;
    try {
      renameSync(spare, file);
      return true;
    } catch {
      // Gone meanwhile (a person cleaning up, the folder replaced): the file is made instead.
      return false;
    }
  }

  /** Makes spares in `dir` in the background until KEEP are ready (one round at a time per folder). */
  refill(dir: string): void {
    if (this.filling.has(dir)) return;
    this.filling.add(dir);
    let ready = this.ready.get(dir);
    if (!ready) this.ready.set(dir, (ready = []));
    const pool = ready;
    void (async () => {
      while (pool.length < this.keep) {
        const spare = path.join(dir, `.spare.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
        await (await fs.open(spare, 'wx', 0o644)).close();
        pool.push(spare);
      }
    })()
      // No spare then (a full disk, a folder gone): replies make their files as before.
      .catch(() => undefined)
      .finally(() => this.filling.delete(dir));
  }
}
