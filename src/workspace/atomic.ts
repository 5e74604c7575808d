import { randomBytes } from 'node:crypto';
import { constants, fstatSync, ftruncateSync, openSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fd, writeAll } from './fd.js';

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /**
   * fsync the file before the rename and its folder after it, so the write survives a
   * power loss. Off only for throwaway demos and benchmarks.
   * @default true
   */
  fsync?: boolean;
  /**
   * Folder for the temporary file; must be on the same file system as `file`.
   * @default the folder of `file`
   */
  tmpDir?: string;
}

/** The temp files {@link writeFileAtomic} makes: `.<name>.<pid>.<12 hex>.tmp`, with the writer's pid. */
export const OWN_TEMP = /^\.(.+)\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/**
 * Writes `file` so that readers see the old content or the new, never a part:
 * a temp file in the same folder (or `tmpDir`), write, fsync, rename over `file`,
 * fsync of the folder. The temp file is removed when anything fails.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const sync = opts.fsync ?? true;
  const dir = path.dirname(file);
  // Dot-prefixed and *.tmp: inbox scans skip it even if it is left behind by a crash.
  const tmp = path.join(opts.tmpDir ?? dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = openSync(tmp, 'wx', 0o644);
  try {
    try {
      writeAll(handle, data);
      if (sync) await fd.sync(handle);
    } finally {
      fd.close(handle);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  if (sync) await fsyncDir(dir);
}

/**
 * fsync a folder, which makes a rename or a new file in it durable. A no-op where the
 * platform cannot open or sync folders (Windows).
 */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: number | undefined;
  try {
    handle = openSync(dir, 'r');
    await fd.sync(handle);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw e;
  } finally {
    if (handle !== undefined) fd.close(handle);
  }
}

/**
 * Renames `from` to `to` (replacing `to`) and, when `fsync`, makes it durable by syncing
 * both folders. Moves a symlink itself, never its target.
 */
export async function renameDurable(from: string, to: string, opts: { fsync?: boolean } = {}): Promise<void> {
  renameSync(from, to);
  if (opts.fsync ?? true) {
    await fsyncDir(path.dirname(to));
    if (path.dirname(from) !== path.dirname(to)) await fsyncDir(path.dirname(from));
  }
}

/**
 * Rewrites a cache file in place, keeping its inode: making a new file is the dearest
 * call on the hot path (a hundred µs or more of kernel time here, against a few for a
 * write). Only for files whose readers check what they read (a checksummed frame) and
 * fall back when it fails: a reader, or a crash, may meet the file empty or half written.
 * Never through a link: a symbolic link, a hard-linked file or anything but a regular
 * file is replaced by {@link writeFileAtomic} instead, which renames over it.
 */
export async function rewriteInPlace(file: string, data: string | Uint8Array): Promise<void> {
  let handle: number;
  try {
    handle = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOOP') throw e;
    return writeFileAtomic(file, data, { fsync: false });
  }
  try {
    const st = fstatSync(handle);
    if (!st.isFile() || st.nlink !== 1) return await writeFileAtomic(file, data, { fsync: false });
    ftruncateSync(handle, 0);
    writeAll(handle, data);
  } finally {
    fd.close(handle);
  }
}
