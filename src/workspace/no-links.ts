import { lstatSync, promises as fs } from 'node:fs';
import path from 'node:path';

/** A write refused because a folder on its way is a symbolic link. */
export class LinkError extends Error {
  constructor(
    /** The link, relative to the workspace. */
    readonly link: string,
    readonly target: string,
  ) {
    super(`${link} is a symbolic link (to ${target}); teamstate writes nothing through a link: replace it with a real folder`);
    this.name = 'LinkError';
  }
}

/**
 * Throws {@link LinkError} when a folder between the workspace `root` (itself excluded:
 * it may be reached through a link) and `dir` (included) is a symbolic link, so that
 * nothing is written outside the workspace by following one (DESIGN §4). Folders that do
 * not exist yet are fine: they are made as real folders. Checked just before a write.
 */
export async function assertNoLinks(root: string, dir: string): Promise<void> {
  const rel = path.relative(root, dir);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return;
  let at = root;
  for (const part of rel.split(path.sep)) {
    at = path.join(at, part);
    let st;
    try {
      st = await fs.lstat(at);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    if (st.isSymbolicLink()) {
      const target = await fs.readlink(at).catch(() => '?');
      throw new LinkError(path.relative(root, at), target);
    }
  }
}

/**
 * {@link assertNoLinks} for several folders at once, as the delivery of every reply asks
 * it (a handful of folders, looked up with lstat directly: microseconds each where a
 * round trip through the thread pool costs ten times more). The link nearest the
 * workspace root is the one named.
 */
export async function assertNoLinksIn(root: string, dirs: readonly string[]): Promise<void> {
  const seen = new Set<string>();
  for (const dir of dirs) {
    const rel = path.relative(root, dir);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
    let at = root;
    for (const part of rel.split(path.sep)) {
      at = path.join(at, part);
      if (seen.has(at)) continue;
      seen.add(at);
      const st = lstatSync(at, { throwIfNoEntry: false });
      // Not there yet: made as a real folder; nothing deeper exists either.
      if (!st) break;
      if (st.isSymbolicLink()) throw new LinkError(path.relative(root, at), await fs.readlink(at).catch(() => '?'));
    }
  }
}
