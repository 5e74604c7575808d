import type { Command } from 'commander';
import { readRunStates } from '../../engine/read.js';
import { oneLine } from '../../engine/labels.js';
import { git, lines } from '../../handlers/git/git.js';
import { listWorktrees, removeWorktree } from '../../handlers/git/worktree.js';
import { loadConfig, resolveWorkspaceDir } from '../../workspace/config.js';
import { WorkspacePaths } from '../../workspace/paths.js';
import { projectOf } from '../../workspace/project.js';
import { table } from '../format.js';

interface Row {
  run: string;
  branch: string;
  state: 'finished' | 'running' | 'no run';
  changed: number;
  path: string;
  pruned?: boolean;
  kept?: string;
  /** git's words when the run's commit at its end failed and its work is still uncommitted here. */
  notCommitted?: string;
}

/** Registers `teamstate worktrees`: each run's git worktree, and pruning those of finished runs. */
export function registerWorktrees(program: Command): void {
  program
    .command('worktrees')
    .description("each run's git worktree (branch teamstate/<run>): whether its run finished, how many files it changed; --prune removes those of finished runs (their branches stay)")
    .option('--workspace <dir>', 'workspace folder')
    .option('--prune', 'remove the worktrees of finished runs (one with uncommitted changes is kept unless --force)')
    .option('--force', "with --prune: remove them even with uncommitted changes (not one whose run's commit failed: commit its work first)")
    .option('--json', 'print JSON')
    .action(async (flags: { workspace?: string; prune?: boolean; force?: boolean; json?: boolean }) => {
      const paths = new WorkspacePaths(resolveWorkspaceDir(flags.workspace));
      const config = await loadConfig(paths.root);
      // The workspace's project (its own project/ when "project" is left out), never the folder this is run in.
      const project = projectOf(paths.root, config).dir;
      const states = new Map((await readRunStates(paths)).map((s) => [s.runId, s]));
      const rows: Row[] = [];
      for (const w of await listWorktrees(project)) {
        const s = states.get(w.runId);
        const status = await git(w.path, ['status', '--porcelain']);
        const row: Row = { run: w.runId, branch: w.branch, state: !s ? 'no run' : s.snapshot.status !== 'active' ? 'finished' : 'running', changed: lines(status.stdout).length, path: w.path };
        const failed = s?.gitCommit?.status === 'failed' ? s.gitCommit : undefined;
        if (failed && row.changed > 0) row.notCommitted = failed.said;
        // A run whose commit failed left its work here, uncommitted: not removed, even with --force, until it is committed.
        if (flags.prune && row.state === 'finished' && row.notCommitted !== undefined && failed) {
          row.kept = `its run's commit failed (git said: ${oneLine(failed.said)}): commit the work in it by hand (git -C ${w.path} commit), or remove it yourself (git worktree remove --force ${w.path}) to drop the work`;
        } else if (flags.prune && row.state === 'finished') {
          const r = await removeWorktree(project, w.path, flags.force ?? false);
          if (r.ok) row.pruned = true;
          else row.kept = r.busy ? r.why : row.changed > 0 ? `${row.changed} uncommitted change(s); commit them on ${w.branch}, or pass --force` : (r.why ?? 'git refused');
        }
        rows.push(row);
      }
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) {
        process.stdout.write(`No run worktrees in ${project}${config.git.worktrees ? ' (runs make one when the project is a git repository with a commit)' : ' ("git": {"worktrees": false} in teamstate.json)'}.\n`);
        return;
      }
      const note = (r: Row) => (r.pruned ? 'pruned (branch kept)' : r.kept ? `kept: ${r.kept}` : r.notCommitted !== undefined ? `its run's commit failed: ${oneLine(r.notCommitted)}` : '');
      process.stdout.write(table(['RUN', 'BRANCH', 'RUN STATE', 'UNCOMMITTED', 'PATH', ''], rows.map((r) => [r.run, r.branch, r.state, String(r.changed), r.path, note(r)])));
      // Why each one was kept, whole: the table cuts long cells.
      for (const r of rows) if (r.kept) process.stdout.write(`${r.run}: kept: ${r.kept}\n`);
    });
}
