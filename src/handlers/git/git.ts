import { execFile } from 'node:child_process';

/** The result of one git command; git is never run through a shell. */
export interface GitResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs `git -C dir …args`; never throws (a missing git is `ok: false` with why). */
export function git(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile('git', ['-C', dir, ...args], { env: { ...process.env, ...env, GIT_TERMINAL_PROMPT: '0' }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ ok: !error, stdout: String(stdout), stderr: String(stderr || (error && !stderr ? error.message : '')) });
    });
  });
}

/**
 * The repository's top folder when `dir` is inside a git work tree with at least one commit
 * and that repository does not ignore `dir`. An ignored folder is not the repository's: the
 * embedded workspace's `project/` inside a clone of teamstate is no checkout of teamstate.
 */
export async function repoRoot(dir: string): Promise<string | undefined> {
  const top = await git(dir, ['rev-parse', '--show-toplevel']);
  if (!top.ok) return undefined;
  // Exit 0: ignored; 1: not ignored; 128: git could not tell (taken as not ignored).
  if ((await git(dir, ['check-ignore', '-q', '.'])).ok) return undefined;
  const head = await git(dir, ['rev-parse', '--verify', '-q', 'HEAD']);
  return head.ok ? top.stdout.trim() : undefined;
}

/** Lines of a command's output, without blanks. */
export const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
