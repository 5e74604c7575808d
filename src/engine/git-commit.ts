import type { GitCommit } from '../handlers/git/commit.js';
import { oneLine } from './labels.js';

/** What became of the run's work, as a step's result event carries it (the write-log step's `output.gitCommit`); journals before it have none. */
export function gitCommitIn(event: { type: string; [k: string]: unknown }): GitCommit | undefined {
  const output = event.output as { gitCommit?: GitCommit } | undefined;
  return output?.gitCommit;
}

/** A path as a shell takes it, quoted only when it must be. */
const shellWord = (p: string) => (/^[\w./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`);

/** The work git did not commit at the run's end, in a line: what git said, and where the work is (the UI's run screen). */
export function notCommitted(c: GitCommit | undefined): string | undefined {
  if (c?.status !== 'failed') return undefined;
  return `NOT committed (git: ${oneLine(c.said)}); the work is in ${c.path}: commit it there by hand`;
}

/** What a finished run waits for, in the runs list and the UI's run line, when its work was not committed. */
export function uncommittedLine(c: GitCommit | undefined): string | undefined {
  const line = notCommitted(c);
  return line && `finished, ${line}`;
}

/** What `show` says of the run's commit: the first line after `Commit:`, the rest below it. */
export function gitCommitLines(c: GitCommit): string[] {
  if (c.status === 'committed') return [`${c.commit.slice(0, 12)} on ${c.branch}`];
  if (c.status === 'nothing') return ['nothing to commit (the run changed no file)'];
  return [
    `NOT committed: the work is not on ${c.branch}. git said:`,
    ...c.said.split('\n').map((l) => l.trimEnd()).filter(Boolean),
    `It is kept in ${c.path} (\`teamstate worktrees --prune\` keeps it): fix what git says, then commit it there by hand (git -C ${shellWord(c.path)} commit), and merge ${c.branch} as usual.`,
  ];
}

/** The write-log step's end in the timeline: what became of the work, after the log entry. */
export function gitCommitNote(c: GitCommit | undefined): string {
  if (!c) return '';
  if (c.status === 'committed') return `; committed ${c.commit.slice(0, 12)} on ${c.branch}`;
  if (c.status === 'nothing') return '; nothing to commit';
  return `; work NOT committed: ${oneLine(c.said)}`;
}
