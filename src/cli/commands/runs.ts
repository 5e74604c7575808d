import type { Command } from 'commander';
import { readRunStates } from '../../engine/read.js';
import { sortRuns, summarize } from '../../engine/view.js';
import type { RunSummary } from '../../engine/view.js';
import { loadConfig, requireWorkspace, resolveWorkspaceDir } from '../../workspace/config.js';
import { formatCost } from '../../handlers/llm/usage.js';
import { ago, table } from '../format.js';
import { say, sayJson } from '../output.js';

/** Registers `teamstate runs`: every run, what needs a person first. */
export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list runs: task, state, what each waits on and since when, fix cycles, cost, last message')
    .option('--workspace <dir>', 'workspace folder')
    .option('--json', 'print JSON')
    .action(async (flags: { workspace?: string; json?: boolean }) => {
      const paths = await requireWorkspace(resolveWorkspaceDir(flags.workspace));
      const config = await loadConfig(paths.root);
      const runs = sortRuns((await readRunStates(paths)).map((r) => summarize(r, config)));
      if (flags.json) {
        sayJson(runs);
        return;
      }
      if (runs.length === 0) {
        say(`No runs yet in ${paths.root}. A run starts when the analyst's HANDOFF reaches the engine's inbox.\n`);
        return;
      }
      const now = Date.now();
      say(
        table(
          ['RUN', 'TASK', 'STATE', 'WAITS ON', 'SINCE', 'FIX', 'COST', 'LAST MESSAGE'],
          runs.map((r) => [r.runId, r.task, r.state, r.waitingFor, ago(now - r.since), String(r.fixCycles), formatCost(r.usage), lastMessage(r)]),
        ),
      );
    });
}

/** The last message, never shown as sent while a reply waits to be delivered. */
function lastMessage(r: RunSummary): string {
  const held = r.undelivered[0];
  if (held) return `! ${held.type} to ${held.to} not delivered yet${r.undelivered.length > 1 ? ` (+${r.undelivered.length - 1} more)` : ''}: ${held.why}`;
  return r.last ? `${r.last.dir === 'in' ? '←' : '→'} ${r.last.type} ${r.last.peer}: ${r.last.firstLine}` : '';
}
