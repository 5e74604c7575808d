import { constants, fstatSync, ftruncateSync, linkSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { isAlive } from '../handlers/process-tree.js';
import { OWN_TEMP, fsyncDir } from './atomic.js';
import { fd, writeAll } from './fd.js';

/**
 * Spares kept at most; one more is removed (its inode freed) instead of kept. A spare is
 * taken for the whole of a rewrite (its fsync included), so runs marking their tasks side
 * by side each need one: as many as the runs an engine keeps in memory (KEEP_LOADED).
 * At 4 KB each, 1 MB of disk at most.
 */
export const SPARES_KEPT = 256;

/**
 * Atomic rewrites of files replaced again and again (the task list's marks, two per run),
 * without making a file and freeing one each time. Making a file is the dearest call of
 * the engine's hot path here (ext4 looks through recently freed inodes for a free one,
 * so every file replaced makes the next ones dearer): about 240 µs of kernel time per
 * rewrite against 70 µs with a spare, in a folder of 400 files rewritten 2,000 times
 * (docs/DESIGN.md §4 "Speed" has what it does in the engine).
 *
 * The promise is `writeFileAtomic`'s: readers see the old content or the new, never a
 * part; with `fsync`, the new content and the rename are durable before it resolves. The
 * new content is written into a spare file of the same folder and renamed over the
 * file, as a temp file would be; before that, the file's current inode gets a spare's
 * name (a hard link), so the rename frees nothing and that inode is the next write's
 * spare. A spare is written into only when it is a regular file with no other name (a
 * crash between the link and the rename leaves one still linked to a live file; a link
 * or a FIFO planted under a spare's name): else it is removed and a new one made. Where
 * hard links are not supported, each rewrite makes its spare, as a temp file.
 */
export class RewriteSpares {
  private readonly free: string[] = [];
  private adopted = false;
  private counter = Math.floor(Math.random() * 2 ** 40);

  constructor(private readonly dir: string) {}

  /** Writes `file` (in this folder) atomically through a spare. */
  async replace(file: string, data: string | Uint8Array, opts: { fsync?: boolean } = {}): Promise<void> {
    const sync = opts.fsync ?? true;
    this.adopt();
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const { name, handle } = this.open();
    try {
      try {
        writeAll(handle, bytes);
        ftruncateSync(handle, bytes.byteLength);
        if (sync) await fd.sync(handle);
      } finally {
        fd.close(handle);
      }
    } catch (e) {
      rmSync(name, { force: true });
      throw e;
    }
    const keep = this.keepOld(file);
    try {
      renameSync(name, file);
    } catch (e) {
      rmSync(name, { force: true });
      if (keep) rmSync(keep, { force: true });
      throw e;
    }
    if (keep) this.give(keep);
    if (sync) await fsyncDir(this.dir);
  }

  /** A spare open for writing from its start: one kept, else a new file. */
  private open(): { name: string; handle: number } {
    for (let name = this.free.pop(); name !== undefined; name = this.free.pop()) {
      let handle: number;
      try {
        handle = openSync(name, constants.O_WRONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      } catch {
        // Gone (the folder was emptied), a link (ELOOP), a FIFO without a reader (ENXIO): not a spare.
        rmSync(name, { force: true });
        continue;
      }
      const st = fstatSync(handle);
      if (st.isFile() && st.nlink === 1) return { name, handle };
      fd.close(handle);
      rmSync(name, { force: true });
    }
    const name = this.newName();
    return { name, handle: openSync(name, 'wx', 0o644) };
  }

  /** Gives the file's current inode a spare's name, so that replacing it frees nothing; undefined when it cannot be. */
  private keepOld(file: string): string | undefined {
    if (this.free.length >= SPARES_KEPT) return undefined;
    const keep = this.newName();
    try {
      linkSync(file, keep);
      return keep;
    } catch {
      // No file yet (ENOENT), or no hard links on this file system: the rename frees the old inode, as before.
      return undefined;
    }
  }

  private give(name: string): void {
    if (this.free.length < SPARES_KEPT) this.free.push(name);
    else rmSync(name, { force: true });
  }

  private newName(): string {
    this.counter = (this.counter + 1) % 2 ** 48;
    return path.join(this.dir, `.spare.${process.pid}.${this.counter.toString(16).padStart(12, '0')}.tmp`);
  }

  /**
   * Once: spares a process that is gone left in the folder are kept (up to SPARES_KEPT,
   * the rest removed), so restarts do not pile them up. A live process's are left to it.
   */
  private adopt(): void {
    if (this.adopted) return;
    this.adopted = true;
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const n of names) {
      // A spare is named as writeFileAtomic's temp files are: `.spare.<pid>.<12 hex>.tmp`.
      const m = OWN_TEMP.exec(n);
      if (!m || m[1] !== 'spare' || (Number(m[2]) !== process.pid && isAlive(Number(m[2])))) continue;
      this.give(path.join(this.dir, n));
    }
  }
}
