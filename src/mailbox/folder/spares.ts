import { randomBytes } from 'node:crypto';
import { constants, openSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Message } from '../../protocol/schema.js';
import { renderMessage } from '../../protocol/render.js';
import { fsyncDirShared } from '../../workspace/dir-sync.js';
import { fd, writeAll } from '../../workspace/fd.js';

/**
 * Spare files kept ready per folder: a round of making them ends with one fsync of the
 * folder, so a busy engine (200 runs answering into the same few folders) gets most of its
 * replies staged in spares, one folder fsync per eight (with two a round, most replies
 * there were staged under their own names, each file made on the main thread).
 */
export const SPARES_KEPT = 8;

/** A spare's name: dot-named (skipped by every reader of a folder), never a temp file's (clean.ts leaves it). */
export const SPARE_NAME = /^\.reply-[0-9a-f]{16}\.tmp$/;

/**
 * Empty files made ahead of need in a folder (a recipient's tmp/), whose names are durable
 * (the folder fsynced) before one is offered: a reply is staged by writing into one in
 * place, under the spare's name, so before its record is journaled only the name needs to
 * be on disk, and it already is; the reply's content is made durable beside the record
 * (deliver.ts, docs/DESIGN.md §4). Making a file is also the dearest call of a reply here
 * (0.1–0.3 ms of kernel time). The spares are made in the background, on libuv's pool,
 * when the caller asks ({@link refill}): once a reply's staging is over and it is handed
 * over, not while it is staged (making a file holds its folder locked). A spare is never
 * removed by the temp-file cleaning: one a journal names holds a reply not yet handed
 * over; the others a process left go at a later start (pruneMarkers).
 */
export class SpareFiles {
  private readonly ready = new Map<string, string[]>();
  private readonly filling = new Set<string>();

  constructor(private readonly keep = SPARES_KEPT) {}

  /** How many spares of `dir` are ready now. */
  readyIn(dir: string): number {
    return this.ready.get(dir)?.length ?? 0;
  }

  /** A spare of `dir` whose name is durable, taken (never offered again); undefined when none is ready. */
  take(dir: string): string | undefined {
    return this.ready.get(dir)?.pop();
  }

  /**
   * Makes spares in `dir` in the background until SPARES_KEPT are ready (one round at a time per
   * folder); each is offered once the folder is fsynced after it was made (`sync`).
   */
  refill(dir: string, sync: boolean): void {
    if (this.filling.has(dir)) return;
    this.filling.add(dir);
    let ready = this.ready.get(dir);
    if (!ready) this.ready.set(dir, (ready = []));
    const pool = ready;
    void (async () => {
      while (pool.length < this.keep) {
        const made: string[] = [];
        for (let i = pool.length; i < this.keep; i++) {
          const spare = path.join(dir, `.reply-${randomBytes(8).toString('hex')}.tmp`);
          await (await fs.open(spare, 'wx', 0o644)).close();
          made.push(spare);
        }
        if (sync) await fsyncDirShared(dir);
        pool.push(...made);
      }
    })()
      // No spare then (a full disk, a folder gone): replies make their files as before.
      .catch(() => undefined)
      .finally(() => this.filling.delete(dir));
  }
}

/**
 * Writes `message` into a spare (never through a link) and begins its fsync, kept in
 * the staging's content fsyncs for the hand-over to wait on. False when the spare could not be
 * written (gone meanwhile, a full disk): the caller stages the reply under its name.
 */
export function stageInSpare({ contentSyncs }: Staging, spare: string, message: Message, sync: boolean): boolean {
  let handle: number;
  try {
    handle = openSync(spare, constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW);
  } catch {
    return false;
  }
  try {
    writeAll(handle, renderMessage(message));
  } catch {
    fd.close(handle);
    return false;
  }
  const durable = sync ? fd.sync(handle).finally(() => fd.close(handle)) : Promise.resolve(fd.close(handle));
  // Its failure is met by the hand-over, which writes the copy again.
  durable.catch(() => undefined);
  contentSyncs.set(spare, durable);
  if (contentSyncs.size > CONTENT_SYNCS_KEPT) contentSyncs.delete(contentSyncs.keys().next().value!);
  return true;
}

/**
 * What one mailbox keeps of its stagings: the spares ready in its recipients' tmp/, and the
 * content fsyncs begun by {@link stageInSpare}, by spare (the hand-over waits for its own;
 * at most CONTENT_SYNCS_KEPT, one forgotten or failed is made durable again). Per mailbox:
 * an engine started again in the same process (as tests do after a simulated crash) knows
 * nothing of what the one before began, as a new process would not.
 */
export class Staging {
  readonly spares = new SpareFiles();
  readonly contentSyncs = new Map<string, Promise<void>>();
}
const CONTENT_SYNCS_KEPT = 4096;
/** The staging of callers that bring none (the CLI's one-off deliveries, tests). */
export const shared = new Staging();

/**
 * Makes the content of a reply staged in a spare durable before its hand-over: the fsync
 * its staging began, when this process began it and it succeeded; else the copy is
 * written again from `message` (the journal's copy: a crash may have left the spare empty
 * or half written) and fsynced. False when the spare is gone: it was handed over.
 */
export async function contentDurable({ contentSyncs }: Staging, spare: string, message: Message, sync: boolean): Promise<boolean> {
  const begun = contentSyncs.get(spare);
  contentSyncs.delete(spare);
  if (begun && (await begun.then(() => true, () => false))) return true;
  let handle: number;
  try {
    handle = openSync(spare, constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  try {
    writeAll(handle, renderMessage(message));
    if (sync) await fd.sync(handle);
  } finally {
    fd.close(handle);
  }
  return true;
}
