import { promises as fs } from 'node:fs';
import path from 'node:path';
import { renameDurable } from '../../workspace/atomic.js';
import type { WorkspacePaths } from '../../workspace/paths.js';
import type { InboxEntry } from './read.js';
import { REASON_SUFFIX, entryNameProblem, lstatOrUndefined, readdirOrEmpty } from './read.js';

/** A rejected file is watched for changes this long after it was rejected. */
export const RETAKE_WINDOW_MS = 10 * 60_000;

/** What was rejected: the file as it was read, the name it came in by, and when. */
interface Rejected {
  name: string;
  size: number;
  mtimeMs: number;
  ino?: number;
  at: number;
}

/**
 * What the reason file records of the file as it was read, so that a change after it is
 * seen, by this engine or by the next one after a restart.
 */
const SEEN_LINE = /^Seen: (\d+) bytes, changed at (\d+(?:\.\d+)?) ms(?:, inode (\d+))?$/m;

/** The `Seen:` line of a rejected file's reason. */
export const seenLine = (e: Pick<InboxEntry, 'size' | 'mtimeMs' | 'ino'>): string => `Seen: ${e.size} bytes, changed at ${e.mtimeMs} ms, inode ${e.ino}`;

/** Size, mtime and inode of a rejected file as its reason file recorded them, if it did (older ones have no inode). */
export function seenInReason(text: string): { size: number; mtimeMs: number; ino?: number } | undefined {
  const m = SEEN_LINE.exec(text);
  return m ? { size: Number(m[1]), mtimeMs: Number(m[2]), ...(m[3] !== undefined ? { ino: Number(m[3]) } : {}) } : undefined;
}

/** The name a rejected message came in by, as its reason file says (`File: <name> (from …)`). */
const FILE_LINE = /^File: (.+) \(from inboxes\//m;

/**
 * Files this mailbox rejected lately. One that changes after it was rejected (its writer
 * was not done: `(sleep 5; printf …) > inbox/x.md` writes into the same file after the
 * move) is put back into new/, its reason removed, and taken again. What was rejected is
 * known from the reason file beside it (its `Seen:` line: size, mtime and inode as read),
 * so an engine started after a restart goes on watching what the last one rejected, for
 * the rest of the window (counted from when the reason was written).
 */
export class RecentRejects {
  private readonly files = new Map<string, Rejected>();
  private loaded = false;

  constructor(
    private readonly paths: WorkspacePaths,
    private readonly member: string,
    private readonly now: () => number,
    private readonly fsync: boolean,
  ) {}

  add(rejectedPath: string, entry: InboxEntry): void {
    if (entry.kind === 'file') this.files.set(rejectedPath, { name: entry.name, size: entry.size, mtimeMs: entry.mtimeMs, ino: entry.ino, at: this.now() });
  }

  /** Puts back into new/ every recent reject that changed since; returns how many. */
  async retakeChanged(): Promise<number> {
    if (!this.loaded) await this.load();
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
      if (st.size === seen.size && st.mtimeMs === seen.mtimeMs && (seen.ino === undefined || st.ino === seen.ino)) continue;
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

  /** Once per engine: the rejections whose reasons were written within the window, by this engine or an earlier one. */
  private async load(): Promise<void> {
    this.loaded = true;
    const dir = this.paths.inbox(this.member).rejected;
    const names = new Set(await readdirOrEmpty(dir));
    const now = this.now();
    for (const reasonName of names) {
      if (!reasonName.endsWith(REASON_SUFFIX)) continue;
      const name = reasonName.slice(0, -REASON_SUFFIX.length);
      const file = path.join(dir, name);
      if (!names.has(name) || this.files.has(file)) continue;
      const reason = await lstatOrUndefined(path.join(dir, reasonName));
      if (!reason?.isFile() || now - reason.mtimeMs > RETAKE_WINDOW_MS) continue;
      const text = await fs.readFile(path.join(dir, reasonName), 'utf8').catch(() => undefined);
      const seen = text === undefined ? undefined : seenInReason(text);
      if (!seen) continue;
      // The name it came in by, unless the reason file names something that is not one plain name.
      const came = FILE_LINE.exec(text ?? '')?.[1];
      const back = came !== undefined && entryNameProblem(came) === undefined ? came : name;
      this.files.set(file, { ...seen, name: back, at: Math.floor(reason.mtimeMs) });
    }
  }
}
