import { promises as fs } from 'node:fs';
import path from 'node:path';
import { renameDurable } from '../../workspace/atomic.js';
import type { WorkspacePaths } from '../../workspace/paths.js';
import type { InboxEntry } from './read.js';
import { REASON_SUFFIX, lstatOrUndefined } from './read.js';

/** A rejected file is watched for changes this long after it was rejected. */
export const RETAKE_WINDOW_MS = 10 * 60_000;

/**
 * Files this mailbox rejected lately. One that changes after it was rejected (its writer
 * was not done: `(sleep 5; printf …) > inbox/x.md` writes into the same file after the
 * move) is put back into new/, its reason removed, and taken again.
 */
export class RecentRejects {
  private readonly files = new Map<string, { name: string; size: number; mtimeMs: number; at: number }>();

  constructor(
    private readonly paths: WorkspacePaths,
    private readonly member: string,
    private readonly now: () => number,
    private readonly fsync: boolean,
  ) {}

  add(rejectedPath: string, entry: InboxEntry): void {
    if (entry.kind === 'file') this.files.set(rejectedPath, { name: entry.name, size: entry.size, mtimeMs: entry.mtimeMs, at: this.now() });
  }

  /** Puts back into new/ every recent reject that changed since; returns how many. */
  async retakeChanged(): Promise<number> {
    let moved = 0;
    const now = this.now();
    for (const [file, seen] of this.files) {
      if (now - seen.at > RETAKE_WINDOW_MS) {
        this.files.delete(file);
        continue;
      }
      const st = await lstatOrUndefined(file);
      if (!st || !st.isFile()) {
        this.files.delete(file);
        continue;
      }
      if (st.size === seen.size && st.mtimeMs === seen.mtimeMs) continue;
      const inbox = this.paths.inbox(this.member);
      let target = path.join(inbox.new, seen.name);
      for (let n = 1; await lstatOrUndefined(target); n++) target = path.join(inbox.new, `${seen.name}.${n}`);
      await renameDurable(file, target, { fsync: this.fsync });
      await fs.rm(file + REASON_SUFFIX, { force: true });
      this.files.delete(file);
      moved += 1;
    }
    return moved;
  }
}
