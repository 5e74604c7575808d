import { promises as fs } from 'node:fs';
import path from 'node:path';
import { OWN_TEMP } from '../../workspace/atomic.js';
import type { WorkspacePaths } from '../../workspace/paths.js';
import { readdirOrEmpty } from './read.js';

/** Whether process `pid` is alive (EPERM: alive, someone else's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes from every member's tmp/ the temp files a teamstate process left behind when it
 * was killed mid-write (`.<name>.<pid>.<hex>.tmp` of a pid that is gone). Peers' own
 * files in tmp/ are never touched, nor a live process's. Returns how many went.
 */
export async function cleanOrphanTemps(paths: WorkspacePaths, members: readonly string[]): Promise<number> {
  let removed = 0;
  for (const dir of tmpFolders(paths, members)) {
    for (const name of await readdirOrEmpty(dir).catch(() => [] as string[])) {
      const m = OWN_TEMP.exec(name);
      if (!m || Number(m[2]) === process.pid || alive(Number(m[2]))) continue;
      await fs.rm(path.join(dir, name), { force: true }).then(
        () => (removed += 1),
        () => undefined,
      );
    }
  }
  return removed;
}

/** The tmp/ folders of the members whose names are plain segments (another name has no inbox to look in). */
export function tmpFolders(paths: WorkspacePaths, members: readonly string[]): string[] {
  const out: string[] = [];
  for (const member of members) {
    try {
      out.push(paths.inbox(member).tmp);
    } catch {
      // Not a plain segment: no inbox of its own.
    }
  }
  return out;
}
