import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { makeTemp } from './temp.js';

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

/** Runs `work` with git's global and system configuration out of reach (a machine with no identity set). */
export async function withoutGlobalConfig<T>(work: () => Promise<T>): Promise<T> {
  const saved = { GIT_CONFIG_GLOBAL: process.env.GIT_CONFIG_GLOBAL, GIT_CONFIG_NOSYSTEM: process.env.GIT_CONFIG_NOSYSTEM };
  const empty = path.join(await makeTemp('teamstate-gitconfig-'), 'config');
  await fs.writeFile(empty, '');
  process.env.GIT_CONFIG_GLOBAL = empty;
  process.env.GIT_CONFIG_NOSYSTEM = '1';
  try {
    return await work();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
