import { statSync } from 'node:fs';
import type { LockHandle, LockState } from '../store/lock.js';
import type { WorkspacePaths } from '../workspace/paths.js';

/**
 * Which folder a path names now (undefined when nothing is there): its device, inode and
 * birth time, since a folder made again at once may get the inode the removed one had.
 */
export function folderIdentity(dir: string): string | undefined {
  try {
    const st = statSync(dir, { bigint: true });
    return `${st.dev}:${st.ino}:${st.birthtimeNs}`;
  } catch {
    return undefined;
  }
}

/**
 * What a running engine does when its workspace folder is not the one it took: gone
 * (removed or moved: `root` undefined) or replaced by another folder of the same name.
 * It stops without touching the lock: one there now belongs to the new folder.
 */
export function workspaceGone(paths: WorkspacePaths, root: string | undefined): { end: string } {
  return root === undefined
    ? { end: `the workspace ${paths.root} is gone (removed or moved while the engine ran); the engine stopped (if it was moved, start it again where it is now)` }
    : { end: `the workspace ${paths.root} was replaced by another folder of that name while the engine ran; the engine stopped. Start it again to work on the new one` };
}

/**
 * What a running engine does about its lock, looked at each timed scan in its own workspace
 * folder: nothing while it holds it; says so when its file had been removed and was put
 * back; stops when another engine took it (or the folder went meanwhile), so that two
 * engines never work on one workspace.
 */
export function lockVerdict(lock: LockState, paths: WorkspacePaths): { warn: string } | { end: string } | undefined {
  if (lock.state === 'gone') return workspaceGone(paths, undefined);
  if (lock.state === 'taken') {
    return { end: `another engine (pid ${lock.pid}) took this workspace's lock after its file ${paths.lockFile} was removed; this one stopped, so that one engine works on ${paths.root}` };
  }
  if (lock.state === 'retaken') {
    return { warn: `the lock file ${paths.lockFile} was removed while the engine ran; it is put back. Leave it while an engine runs: without it a second engine could start on this workspace` };
  }
  return undefined;
}

/**
 * The engine's look at its lock at each timed scan: `look` asks the lock and the workspace
 * folder, says what was put back through `warn`, and calls `end` with why once the engine
 * must stop. One look at a time.
 */
export class LockWatch {
  private looking = false;
  private missing = false;
  /** The workspace folder the engine took: one made again under its name is another. */
  private readonly rootAtStart: string | undefined;

  constructor(
    private readonly lock: LockHandle,
    private readonly paths: WorkspacePaths,
    private readonly warn: (line: string) => void,
    private readonly end: (why: string) => void,
  ) {
    this.rootAtStart = folderIdentity(paths.root);
  }

  async look(): Promise<void> {
    if (this.looking) return;
    this.looking = true;
    try {
      const root = folderIdentity(this.paths.root);
      // A lock file found removed is put back at the next look, not at once: a workspace being
      // removed (`rm -rf`) meanwhile is not given a file back, which would stop its removal.
      const lock = root === this.rootAtStart ? await this.lock.check({ putBack: this.missing }) : undefined;
      this.missing = lock?.state === 'missing';
      const verdict = lock ? lockVerdict(lock, this.paths) : workspaceGone(this.paths, root);
      if (verdict && 'warn' in verdict) this.warn(verdict.warn);
      else if (verdict) this.end(verdict.end);
    } catch (e) {
      this.warn(`could not check the lock ${this.paths.lockFile}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.looking = false;
    }
  }
}
