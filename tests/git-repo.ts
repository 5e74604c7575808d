import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** git in `dir`, its output trimmed; throws with git's words when it fails. */
export const gitIn = (dir: string, ...args: string[]): string => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();

/**
 * Makes `dir` a git repository on `main` with a committer of its own, and commits `files`
 * (path → text) as its first commit, "start" (an empty one when there are none).
 */
export async function initRepo(dir: string, files: Record<string, string> = {}): Promise<void> {
  gitIn(dir, 'init', '-q', '-b', 'main');
  gitIn(dir, 'config', 'user.email', 'dev@example.com');
  gitIn(dir, 'config', 'user.name', 'Dev');
  for (const [name, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), text);
  }
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '-q', '--allow-empty', '-m', 'start');
}
