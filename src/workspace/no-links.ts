import { promises as fs } from 'node:fs';
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
 * {@link assertNoLinks} for several folders at once: every folder on their ways is looked
 * at once, side by side. The link nearest the workspace root is the one named.
 */
export async function assertNoLinksIn(root: string, dirs: readonly string[]): Promise<void> {
  const ways = new Set<string>();
  for (const dir of dirs) {
    const rel = path.relative(root, dir);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
    let at = root;
    for (const part of rel.split(path.sep)) ways.add((at = path.join(at, part)));
  }
  const sorted = [...ways].sort((a, b) => a.length - b.length);
  const links = await Promise.all(
    sorted.map((at) =>
      fs.lstat(at).then(
        (st) => st.isSymbolicLink(),
        (e: NodeJS.ErrnoException) => {
          if (e.code === 'ENOENT') return false;
          throw e;
        },
      ),
    ),
  );
  const link = sorted.find((_, i) => links[i]);
  if (link) throw new LinkError(path.relative(root, link), await fs.readlink(link).catch(() => '?'));
}
