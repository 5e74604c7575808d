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

/** The system's words for the passing faults (strerror, as git prints them), most specific first. */
const FAULT_WORDS: [string, string][] = [
  ['no space left on device', 'ENOSPC'],
  ['disk quota exceeded', 'EDQUOT'],
  ['disc quota exceeded', 'EDQUOT'],
  ['input/output error', 'EIO'],
  ['read-only file system', 'EROFS'],
  ['too many open files in system', 'ENFILE'],
  ['too many open files', 'EMFILE'],
  ['cannot allocate memory', 'ENOMEM'],
  ['out of memory', 'ENOMEM'],
  ['resource temporarily unavailable', 'EAGAIN'],
  ['device or resource busy', 'EBUSY'],
];

/**
 * The errno code of a passing fault of the machine (a full disk, too many open files) that
 * git's own words name, or undefined when git failed for another reason (a branch or path
 * in the way, a lock, a permission).
 */
export function faultIn(stderr: string): string | undefined {
  const said = stderr.toLowerCase();
  // A git that could not even be started says the code itself ("spawn git EMFILE").
  return FAULT_WORDS.find(([words]) => said.includes(words))?.[1] ?? /\b(ENOSPC|EDQUOT|EIO|EROFS|EMFILE|ENFILE|ENOMEM|EAGAIN|EBUSY)\b/.exec(stderr)?.[1];
}

/** Lines of a command's output, without blanks. */
export const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
