import { promises as fs } from 'node:fs';
import type { Command } from 'commander';
import type { ControlInput } from '../../engine/control.js';
import { queueControl } from '../../engine/control.js';
import { runningEngine } from '../../engine/read.js';
import { UserError } from '../../errors.js';
import { resolveWorkspaceDir } from '../../workspace/config.js';
import { WorkspacePaths } from '../../workspace/paths.js';
import { say } from '../output.js';

/** Queues a person's action for the engine and says when it takes effect. */
async function queue(workspace: string | undefined, control: ControlInput): Promise<void> {
  const paths = new WorkspacePaths(resolveWorkspaceDir(workspace));
  await fs.access(paths.configFile).catch(() => {
    throw new UserError(`${paths.root} is not a workspace (no teamstate.json); pass --workspace DIR`);
  });
  await queueControl(paths, control);
  const pid = await runningEngine(paths);
  say(pid ? `queued; the running engine (pid ${pid}) applies it at its next scan\n` : 'queued; no engine is running: it is applied when `teamstate start` runs\n');
}

/** Registers `teamstate complete RUN STEP`, and the other person actions: retry, decide, cancel. */
export function registerComplete(program: Command): void {
  program
    .command('complete')
    .description('finish a step done by a person (a manual step, or one stuck after a failure)')
    .argument('<run>', 'run id')
    .argument('<step>', 'step: plan, implement, fix, architecture-validator, database-architect, code-reviewer, security-auditor, test-generator')
    .option('--file <out>', "the step's result (a plan, an implementation summary, a sub-agent report); default: stdin when piped, else empty")
    .option('--fail <reason>', 'mark the step failed instead, with the reason')
    .option('--workspace <dir>', 'workspace folder')
    .action(async (run: string, step: string, flags: { file?: string; fail?: string; workspace?: string }) => {
      let text = '';
      if (flags.file) text = await fs.readFile(flags.file, 'utf8').catch((e: Error) => Promise.reject(new UserError(`--file ${flags.file}: ${e.message}`)));
      else if (!process.stdin.isTTY && flags.fail === undefined) text = await readStdin();
      await queue(flags.workspace, { action: 'complete', run, step, text, ...(flags.fail !== undefined ? { fail: flags.fail } : {}) });
    });
  program
    .command('retry')
    .description('run a stuck step again')
    .argument('<run>', 'run id')
    .argument('<step>', 'step name')
    .option('--workspace <dir>', 'workspace folder')
    .action((run: string, step: string, flags: { workspace?: string }) => queue(flags.workspace, { action: 'retry', run, step }));
  program
    .command('decide')
    .description('approve or reject the plan as the conductor (when a person plays the conductor, or the run waits on a person)')
    .argument('<run>', 'run id')
    .option('--approve', 'approve the plan')
    .option('--reject', 'reject the plan')
    .option('--feedback <text>', 'what to change (goes into the next revision)', '')
    .option('--workspace <dir>', 'workspace folder')
    .action((run: string, flags: { approve?: boolean; reject?: boolean; feedback: string; workspace?: string }) => {
      if (Boolean(flags.approve) === Boolean(flags.reject)) throw new UserError('say --approve or --reject');
      return queue(flags.workspace, { action: 'decide', run, approved: Boolean(flags.approve), feedback: flags.feedback });
    });
  program
    .command('cancel')
    .description('cancel a run')
    .argument('<run>', 'run id')
    .option('--reason <text>', 'why', 'cancelled by a person')
    .option('--workspace <dir>', 'workspace folder')
    .action((run: string, flags: { reason: string; workspace?: string }) => queue(flags.workspace, { action: 'cancel', run, reason: flags.reason }));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
