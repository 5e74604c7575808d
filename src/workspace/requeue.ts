import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { Config } from './config-schema.js';
import { REASON_SUFFIX, lstatOrUndefined } from '../mailbox/folder/read.js';
import { receive } from '../mailbox/folder/receive.js';
import { renameDurable } from './atomic.js';
import type { WorkspacePaths } from './paths.js';
import { CONFIG_FILE_NAME } from './paths.js';

/** A rejected message's place: the workspace it is in and whose inbox rejected it. */
export interface RejectedFile {
  root: string;
  member: string;
  name: string;
}

/** Reads `<workspace>/inboxes/<member>/rejected/<name>` back from a path, or says why it is not one. */
export function locateRejected(file: string): RejectedFile {
  const abs = path.resolve(file);
  const rejected = path.dirname(abs);
  const inbox = path.dirname(rejected);
  const inboxes = path.dirname(inbox);
  if (path.basename(rejected) !== 'rejected' || path.basename(inboxes) !== 'inboxes') {
    throw new UserError(`${file} is not in an inbox's rejected/ folder (inboxes/<member>/rejected/); \`teamstate inbox MEMBER\` lists the rejected messages`);
  }
  if (abs.endsWith(REASON_SUFFIX)) throw new UserError(`${file} is the reason of a rejection; give the rejected message itself (${path.basename(abs).slice(0, -REASON_SUFFIX.length)})`);
  return { root: path.dirname(inboxes), member: path.basename(inbox), name: path.basename(abs) };
}

/**
 * Puts a rejected message back into its inbox once it is fixed: it is read and checked as
 * the engine's inbox would (a message still wrong is refused with the reason, and stays
 * where it is), then renamed into new/, and its reason file removed. Returns where it went.
 */
export async function requeueRejected(paths: WorkspacePaths, config: Config, member: string, name: string, opts: { fsync?: boolean } = {}): Promise<string> {
  const inbox = paths.inbox(member);
  const from = path.join(inbox.rejected, name);
  const st = await lstatOrUndefined(from);
  if (!st) throw new UserError(`${from}: no such rejected message`);
  if (!st.isFile()) throw new UserError(`${from} is not a regular file (a link or a folder); it cannot be requeued: look at it and remove it`);
  if (!(await lstatOrUndefined(paths.configFile))) throw new UserError(`${paths.root} has no ${CONFIG_FILE_NAME}`);
  const checked = await receive(config, member, { path: from, name, where: 'new', kind: 'file', size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
  if (!checked.ok) throw new UserError(`${name} is still not valid: ${checked.reason}; fix it, then requeue it again`);
  const to = path.join(inbox.new, name);
  if (await lstatOrUndefined(to)) throw new UserError(`${to} already exists; the inbox has a message of that name waiting`);
  await renameDurable(from, to, opts);
  await fs.rm(from + REASON_SUFFIX, { force: true });
  return to;
}
