import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { machines } from '../../../machines/index.js';
import type { ControlInput } from '../../engine/control.js';
import { awaitVerdict, controlSchema, queueControl } from '../../engine/control.js';
import { controlEvent } from '../../engine/control-check.js';
import { readRunState, runningEngine } from '../../engine/read.js';
import { UserError } from '../../errors.js';
import { loadConfig, requireWorkspace, resolveWorkspaceDir } from '../../workspace/config.js';
import { say } from '../output.js';

/** How long a command waits for a running engine's verdict on an action, by default. */
const DEFAULT_WAIT_MS = 10_000;

/**
 * Checks a person's action against the run as its journal has it (the run exists, the
 * step is waiting, the conductor mode allows it), queues it for the engine, and, when
 * an engine runs, waits up to `waitMs` for its verdict: exit 0 once applied, exit 1 with
 * its reason when refused. Without an engine it is applied at the next start.
 */
async function queue(workspace: string | undefined, control: ControlInput, waitMs: number): Promise<void> {
  const paths = await requireWorkspace(resolveWorkspaceDir(workspace));
  const config = await loadConfig(paths.root);
  const parsed = controlSchema.parse(control);
  const state = await readRunState(paths, parsed.run);
  const entry = machines[state.machine.id];
  if (!entry) throw new UserError(`run ${parsed.run} was made by an unknown machine "${state.machine.id}"`);
  const verdict = controlEvent(entry, config, state, parsed, 'check');
  if (!verdict.ok) throw new UserError(verdict.error);
  const file = await queueControl(paths, parsed);
  const pid = await runningEngine(paths);
  if (!pid) {
    say('queued; no engine is running: it is applied when `teamstate start` runs\n');
    return;
  }
  const outcome = await awaitVerdict(file, waitMs);
  if (outcome.status === 'applied') say(`applied by the running engine (pid ${pid})\n`);
  else if (outcome.status === 'refused') throw new UserError(`the engine refused it: ${outcome.reason}`);
  else say(`queued; the running engine (pid ${pid}) has not taken it within ${Math.round(waitMs / 1000)} s: it applies it at its next scan (a refusal is kept in ${path.relative(process.cwd(), file)}.rejected.reason.txt)\n`);
}

const waitOption = (cmd: Command): Command =>
  cmd.option('--wait <ms>', "how long to wait for a running engine's verdict (0: just queue it)", String(DEFAULT_WAIT_MS));

function waitMs(flag: string | undefined): number {
  const ms = Number(flag ?? DEFAULT_WAIT_MS);
  if (!Number.isFinite(ms) || ms < 0) throw new UserError(`--wait "${flag}": expected a number of milliseconds, 0 or more`);
  return ms;
}

/** Registers `teamstate complete RUN STEP`, and the other person actions: retry, decide, cancel. */
export function registerComplete(program: Command): void {
  const complete = program
    .command('complete')
    .description('finish a step done by a person (a manual step, or one stuck after a failure)')
    .argument('<run>', 'run id')
    .argument('<step>', 'step: plan, implement, fix, architecture-validator, database-architect, code-reviewer, security-auditor, test-generator')
    .option('--file <out>', "the step's result (a plan, an implementation summary, a sub-agent report); default: stdin when piped, else empty")
    .option('--fail <reason>', 'mark the step failed instead, with the reason')
    .option('--workspace <dir>', 'workspace folder');
  waitOption(complete).action(async (run: string, step: string, flags: { file?: string; fail?: string; workspace?: string; wait?: string }) => {
      let text = '';
      if (flags.file) text = await fs.readFile(flags.file, 'utf8').catch((e: Error) => Promise.reject(new UserError(`--file ${flags.file}: ${e.message}`)));
      else if (!process.stdin.isTTY && flags.fail === undefined) text = await readStdin();
      await queue(flags.workspace, { action: 'complete', run, step, text, ...(flags.fail !== undefined ? { fail: flags.fail } : {}) }, waitMs(flags.wait));
    });
  waitOption(program.command('retry').description('run a stuck step again').argument('<run>', 'run id').argument('<step>', 'step name').option('--workspace <dir>', 'workspace folder')).action(
    (run: string, step: string, flags: { workspace?: string; wait?: string }) => queue(flags.workspace, { action: 'retry', run, step }, waitMs(flags.wait)),
  );
  const decide = program
    .command('decide')
    .description('approve or reject the plan as the conductor (when a person plays the conductor, or the run waits on a person)')
    .argument('<run>', 'run id')
    .option('--approve', 'approve the plan')
    .option('--reject', 'reject the plan')
    .option('--feedback <text>', 'what to change (goes into the next revision)', '')
    .option('--workspace <dir>', 'workspace folder');
  waitOption(decide).action((run: string, flags: { approve?: boolean; reject?: boolean; feedback: string; workspace?: string; wait?: string }) => {
    if (Boolean(flags.approve) === Boolean(flags.reject)) throw new UserError('say --approve or --reject');
    return queue(flags.workspace, { action: 'decide', run, approved: Boolean(flags.approve), feedback: flags.feedback }, waitMs(flags.wait));
  });
  const cancel = program.command('cancel').description('cancel a run').argument('<run>', 'run id').option('--reason <text>', 'why', 'cancelled by a person').option('--workspace <dir>', 'workspace folder');
  waitOption(cancel).action((run: string, flags: { reason: string; workspace?: string; wait?: string }) =>
    queue(flags.workspace, { action: 'cancel', run, reason: flags.reason }, waitMs(flags.wait)),
  );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
