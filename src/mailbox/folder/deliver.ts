import { createHash } from 'node:crypto';
import { constants, open as openCb, promises as fs, renameSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Message } from '../../protocol/schema.js';
import { renderMessage } from '../../protocol/render.js';
import { fsyncDir, renameDurable, writeFileAtomic } from '../../workspace/atomic.js';
import { fsyncDirShared } from '../../workspace/dir-sync.js';
import { fd, writeAll } from '../../workspace/fd.js';
import { assertNoLinksIn } from '../../workspace/no-links.js';
import type { WorkspacePaths } from '../../workspace/paths.js';
import { tmpFolders } from './clean.js';
import { segmentProblem } from '../../workspace/paths.js';
import type { Delivery } from '../port.js';
import { lstatOrUndefined } from './read.js';
import { contentDurable, shared, SPARE_NAME, type Staging, stageInSpare } from './spares.js';

/**
 * Making a staged reply's file when no spare was ready goes through the thread pool, unlike
 * the other page-cache calls (fd.ts): spares run out when many replies are staged at once,
 * and then the engine's main thread is what limits; the file's making (the kernel's inode
 * allocation, 50–90 µs here) runs on another core meanwhile (docs/DESIGN.md §4, Speed).
 */
const openAsync = promisify(openCb);

const hashOf = (key: string, recipient: string): string => createHash('sha256').update(`${key}\0${recipient}`).digest('hex').slice(0, 16);

/**
 * The file name of message `key` in `recipient`'s inbox: the same for the same key and
 * recipient, different otherwise, and made of safe characters only. `<from>--` leads it
 * when the sender is known, so readers that take the sender from the file name see it; a
 * readable part of the key follows and a hash of key and recipient keeps it unique.
 */
export function deliveryName(key: string, recipient: string, from?: string): string {
  const slug = key
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
    .slice(0, 40)
    .replace(/[^A-Za-z0-9]+$/, '');
  const prefix = from !== undefined && segmentProblem(from) === undefined ? `${from}--` : '';
  return `${prefix}${slug ? `${slug}-` : ''}${hashOf(key, recipient)}.md`;
}

/** The marker that says message `key` was staged for `recipient`: `deliveries/<h2>/<hash>`. */
export function deliveryMarker(paths: WorkspacePaths, key: string, recipient: string): string {
  const h = hashOf(key, recipient);
  return path.join(paths.deliveriesDir, h.slice(0, 2), h);
}

/**
 * Delivers `message` into `recipient`'s inbox exactly once for `key`, whatever the
 * recipient does with it and wherever a crash lands (DESIGN §4):
 * 1. the message is staged as `tmp/<name>` (written in full, fsynced; a temp file renamed),
 * 2. an empty marker `deliveries/<h2>/<hash>` records that it was staged (folder fsynced),
 * 3. `tmp/<name>` is renamed into `new/<name>` (folders fsynced).
 * Only the rename removes the staged file, so a later call knows without looking in new/:
 * no marker, not handed over (stage again); a marker and a staged file, not renamed yet
 * (rename it); a marker alone, handed over (nothing to do: `already-delivered`).
 * `staged`: {@link stage} made the copy's name durable before the record that sends it was
 * journaled, which stands for the marker: the staged file is renamed, or was already.
 * `as`: it was staged in the spare `tmp/<as>` (stage's `{ as }`), whose content is made
 * durable here before it is renamed: by the fsync the staging began, or, when that is not
 * known to have succeeded (a restart, a failed fsync), by writing it again from `message`.
 * No folder on the way may be a symbolic link (LinkError, naming it).
 * The caller has checked that `recipient` is a member (see checkAddresses).
 */
export async function deliver(paths: WorkspacePaths, recipient: string, message: Message, key: string, opts: { fsync?: boolean; staged?: boolean; as?: string; staging?: Staging } = {}): Promise<Delivery> {
  const sync = opts.fsync ?? true;
  const { spares } = opts.staging ?? shared;
  const inbox = paths.inbox(recipient);
  const name = deliveryName(key, recipient, message.from);
  if (opts.as !== undefined && !SPARE_NAME.test(opts.as)) throw new Error(`a staged copy named ${JSON.stringify(opts.as)} is not one of the engine's spares in ${inbox.tmp}`);
  const staged = path.join(inbox.tmp, opts.as ?? name);
  const target = path.join(inbox.new, name);
  if (opts.staged) {
    // Checked when it was staged, just now, by this process; else (after a restart, a retry) checked again.
    if (!justChecked.delete(staged)) await assertNoLinksIn(paths.root, [inbox.tmp, inbox.new]);
    if (opts.as !== undefined && !(await contentDurable(opts.staging ?? shared, staged, message, sync))) return 'already-delivered';
    const handed = await handOver(staged, target, sync);
    // The spare it took is made again now, after its staging and hand-over (spares.ts).
    spares.refill(inbox.tmp, sync);
    return handed ? 'delivered' : 'already-delivered';
  }
  const marker = deliveryMarker(paths, key, recipient);
  await assertNoLinksIn(paths.root, [inbox.tmp, inbox.new, path.dirname(marker)]);
  if (await lstatOrUndefined(marker)) {
    return (await handOver(staged, target, sync)) ? 'delivered' : 'already-delivered';
  }
  // Delivered by a version that kept no marker, and already read by the recipient.
  if (await lstatOrUndefined(path.join(inbox.cur, name))) return 'already-delivered';
  // A member added to the config after init has no folders yet.
  await mkdirDurable(inbox.tmp, sync);
  await mkdirDurable(inbox.new, sync);
  await writeFileAtomic(staged, renderMessage(message), { fsync: sync, tmpDir: inbox.tmp });
  await mkdirDurable(path.dirname(marker), sync);
  await (await fs.open(marker, 'a')).close();
  if (sync) await fsyncDir(path.dirname(marker));
  await renameDurable(staged, target, { fsync: sync });
  return 'delivered';
}

/**
 * Stages `message` for `recipient` before the engine journals the record that sends it, so
 * that once that record is on disk the copy's name is too, and `deliver(…, { staged: true })`
 * needs no marker (a staged copy that is gone was renamed into new/):
 * - in a spare of `tmp/` (spares.ts), whose name was made durable ahead: the message is
 *   written into it and its fsync begun, not waited for; resolves `{ as }`, the spare's
 *   name, which the record keeps. Its content is made durable beside the record, before
 *   `deliver` renames it (see there).
 * - else as `tmp/<name>`, whole and durable (file and folder fsynced) before this resolves
 *   true. Written in place: until the record is journaled nothing renames it, and a crash
 *   before that stages it again (same name) when the message is applied again.
 * False when it could not be staged (a link on the way, a full disk): then `deliver` does it
 * all, and says why if it can't either.
 */
export async function stage(paths: WorkspacePaths, recipient: string, message: Message, key: string, opts: { fsync?: boolean; staging?: Staging } = {}): Promise<boolean | { as: string }> {
  const sync = opts.fsync ?? true;
  const staging = opts.staging ?? shared;
  const { spares } = staging;
  try {
    const inbox = paths.inbox(recipient);
    await assertNoLinksIn(paths.root, [inbox.tmp, inbox.new]);
    const spare = spares.take(inbox.tmp);
    if (spare !== undefined) {
      const written = stageInSpare(staging, spare, message, sync);
      if (written) {
        remember(spare);
        return { as: path.basename(spare) };
      }
    }
    const file = path.join(inbox.tmp, deliveryName(key, recipient, message.from));
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
    let handle: number;
    try {
      handle = await openAsync(file, flags, 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // A member added to the config after init has no folders yet.
      await mkdirDurable(inbox.tmp, sync);
      await mkdirDurable(inbox.new, sync);
      handle = await openAsync(file, flags, 0o644);
    }
    try {
      writeAll(handle, renderMessage(message));
      // The file and its name in tmp/ are made durable side by side: both are, before the record is written.
      if (sync) await Promise.all([fd.sync(handle), fsyncDirShared(inbox.tmp)]);
    } finally {
      fd.close(handle);
    }
    // None was ready (the first reply to this folder, or a burst took them all): spares are made now it is staged.
    spares.refill(inbox.tmp, sync);
    remember(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Staged copies whose folders were checked for links by {@link stage} a moment ago: the
 * hand-over that follows (within a commit) does not look again. At most JUST_CHECKED_KEPT;
 * a copy handed over later than that, or by another process, is checked again.
 */
const justChecked = new Set<string>();
const JUST_CHECKED_KEPT = 4096;
function remember(file: string): void {
  justChecked.add(file);
  if (justChecked.size > JUST_CHECKED_KEPT) justChecked.delete(justChecked.values().next().value!);
}

/**
 * Drops every delivery marker but those of `keep` (replies journaled and not delivered
 * yet), among those made before `before` (wall-clock ms): what versions that kept a marker
 * per reply left behind, and what a crash left between a delivery and its forgetting.
 * So too the spares in the `members`' tmp/ (spares.ts) that no reply of `keep` is staged
 * in (`as`), among those last written before `before`: what a process left unused, or
 * staged a reply in whose record was never journaled. Returns how many went.
 */
export async function pruneMarkers(paths: WorkspacePaths, keep: { recipient: string; key: string; as?: string }[], before: number, members: readonly string[] = []): Promise<number> {
  const kept = new Set(keep.map((k) => deliveryMarker(paths, k.key, k.recipient)));
  const keptSpares = new Set(keep.flatMap((k) => (k.as !== undefined ? [path.join(paths.inbox(k.recipient).tmp, k.as)] : [])));
  let removed = 0;
  for (const tmp of tmpFolders(paths, members)) {
    for (const name of await fs.readdir(tmp).catch(() => [] as string[])) {
      const spare = path.join(tmp, name);
      if (!SPARE_NAME.test(name) || keptSpares.has(spare)) continue;
      const st = await lstatOrUndefined(spare).catch(() => undefined);
      if (!st?.isFile() || st.mtimeMs >= before) continue;
      await fs.rm(spare, { force: true }).then(
        () => (removed += 1),
        () => undefined,
      );
    }
  }
  for (const sub of await fs.readdir(paths.deliveriesDir).catch(() => [] as string[])) {
    const dir = path.join(paths.deliveriesDir, sub);
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      const marker = path.join(dir, name);
      if (kept.has(marker)) continue;
      const st = await lstatOrUndefined(marker).catch(() => undefined);
      if (!st?.isFile() || st.mtimeMs >= before) continue;
      await fs.rm(marker, { force: true }).then(
        () => (removed += 1),
        () => undefined,
      );
    }
  }
  return removed;
}

/** Drops the marker of `key` to `recipient`, once the journal says it was delivered (nothing asks again). */
export async function forgetDelivery(paths: WorkspacePaths, recipient: string, key: string): Promise<void> {
  await fs.rm(deliveryMarker(paths, key, recipient), { force: true });
}

/**
 * Renames the staged copy into new/, making it durable (both folders fsynced) before it
 * resolves; false when there is no staged copy (it was handed over before).
 */
async function handOver(staged: string, target: string, sync: boolean): Promise<boolean> {
  try {
    renameSync(staged, target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    if (!(await lstatOrUndefined(staged))) return false;
    // The staged copy is there: new/ is not (a member added after init).
    await mkdirDurable(path.dirname(target), sync);
    renameSync(staged, target);
  }
  if (sync) await Promise.all([fsyncDirShared(path.dirname(target)), fsyncDirShared(path.dirname(staged))]);
  return true;
}

/** mkdir -p, and when it made folders, each folder holding a new one synced so they stay. */
async function mkdirDurable(dir: string, sync: boolean): Promise<void> {
  const first = await fs.mkdir(dir, { recursive: true });
  if (first === undefined || !sync) return;
  for (let at = dir; ; at = path.dirname(at)) {
    await fsyncDir(path.dirname(at));
    if (at === first || path.dirname(at) === at) break;
  }
}
