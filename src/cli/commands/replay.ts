import { inspect } from 'node:util';
import type { Command } from 'commander';
import { machines } from '../../../machines/index.js';
import { readJournal } from '../../engine/read.js';
import { replay } from '../../engine/replay.js';
import { UserError } from '../../errors.js';
import { loadConfig, resolveWorkspaceDir } from '../../workspace/config.js';
import { WorkspacePaths } from '../../workspace/paths.js';
import { say } from '../output.js';

/** Registers `teamstate replay RUN`: the journal through the machine again, checked step by step. */
export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description("replay a run's journal through the machine and check it reproduces every stored state; exit 1 names the first divergent step")
    .argument('<run>', 'run id')
    .option('--workspace <dir>', 'workspace folder')
    .action(async (runId: string, flags: { workspace?: string }) => {
      const paths = new WorkspacePaths(resolveWorkspaceDir(flags.workspace));
      const config = await loadConfig(paths.root);
      const { records } = await readJournal(paths, runId);
      if (records.length === 0) {
        throw new UserError(
          `run ${runId} has nothing to replay: its journal ${paths.run(runId).journal} holds no records (emptied, or never written); restore it from a backup, or delete the run's folder to drop the run`,
        );
      }
      const created = records.find((r) => r.kind === 'created');
      const entry = machines[created?.kind === 'created' ? created.machine.id : config.engine.machine];
      if (!entry) throw new UserError(`run ${runId} was made by an unknown machine`);
      const result = replay(entry, config, records);
      if (result.ok) {
        say(`run ${runId}: ${result.steps} journaled events replayed; every state matches\n`);
        return;
      }
      const show = (v: unknown) => inspect(v, { depth: 4, breakLength: 120 });
      throw new UserError(`run ${runId} diverges at step ${result.seq} (${result.event}): ${result.what} differs; journal has ${show(result.expected)}, replay gives ${show(result.got)}`);
    });
}
