import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { Engine } from '../../engine/engine.js';
import type { RunSummary } from '../../engine/view.js';
import { UserError } from '../../errors.js';
import { prepareDemoWorkspace, DEMO_TASK } from '../../sim/demo-workspace.js';
import { ScriptedTeam } from '../../sim/scripted-team.js';
import { say, sayLine } from '../output.js';

interface DemoFlags {
  conductor?: string;
  workspace?: string;
  pace?: string;
  headless?: boolean;
}

/** Registers `teamstate demo`: a scripted team takes one task through the real engine and UI. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('watch a scripted team take one task through the engine: a rejected plan, an approval, the sub-agents, a BUG, a FAIL, a PASS, the log entry')
    .option('--conductor <who>', '"person": you approve or reject the plans in the UI (a, r); "scripted": the demo does', 'scripted')
    .option('--workspace <dir>', 'where to build the demo workspace (default: a fresh temp folder); its contents are replaced')
    .option('--pace <ms>', 'how often the scripted team acts', '1500')
    .option('--headless', 'no UI: print each transition and exit 0 when the task is done (the default without a terminal)')
    .action(async (flags: DemoFlags) => {
      const conductor = flags.conductor === 'person' ? 'person' : flags.conductor === 'scripted' || flags.conductor === undefined ? 'scripted' : undefined;
      if (!conductor) throw new UserError(`--conductor "${flags.conductor}": expected person or scripted`);
      const pace = Number(flags.pace ?? '1500');
      if (!Number.isFinite(pace) || pace < 10) throw new UserError(`--pace "${flags.pace}": expected a number of milliseconds, 10 or more`);
      const headless = flags.headless === true || !process.stdout.isTTY;
      if (headless && conductor === 'person') throw new UserError('--conductor person needs the terminal UI (you decide on the plans there); run it in a terminal without --headless');
      const dir = flags.workspace ? path.resolve(flags.workspace) : await fs.mkdtemp(path.join(os.tmpdir(), 'teamstate-demo-'));
      const paths = await prepareDemoWorkspace(dir, { conductor });
      const team = new ScriptedTeam({ paths, tasks: [DEMO_TASK.id], conductor });
      if (headless) await runHeadless(dir, team, pace);
      else await runWithUi(dir, team, pace, conductor);
    });
}

/** One line on what the scripted team waits for next, and whether the person's move is due. */
function progressLine(team: ScriptedTeam, finished: boolean, yourMove = false, waitsOnPerson?: RunSummary): string {
  if (finished) return 'demo: the task is done — 3 shows its log entry, 1 the runs; q quits';
  const p = team.progress()[0]!;
  if (p.stage >= p.stages) return 'demo: every stage played';
  // Escalated or stuck: the scripted team has nothing to do until a person acts.
  if (waitsOnPerson) return `demo: paused — the run waits on you (${waitsOnPerson.waitingFor}); Enter opens it, a/r decide, t/d/f act on a step`;
  if (yourMove) return 'demo: your move as the conductor — Enter opens the run; a approves the plan, r rejects it with feedback (try a rejection first)';
  return `demo: next, ${p.label} (stage ${p.stage + 1} of ${p.stages})`;
}

/** Ticks the team every `pace` ms until it is done or `stop()` is called; never throws (a failed tick is reported and retried). */
function ticker(team: ScriptedTeam, pace: number, onTick: (done: boolean) => void, onError: (e: Error) => void): { finished: Promise<void>; stop: () => void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let resolve!: () => void;
  const finished = new Promise<void>((r) => (resolve = r));
  const step = async () => {
    if (stopped) return;
    let done = false;
    try {
      done = await team.tick();
    } catch (e) {
      onError(e as Error);
    }
    if (stopped) return;
    onTick(done);
    if (done) resolve();
    else timer = setTimeout(() => void step(), pace);
  };
  void step();
  return {
    finished,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      resolve();
    },
  };
}

async function runWithUi(dir: string, team: ScriptedTeam, pace: number, conductor: 'scripted' | 'person'): Promise<void> {
  const { runUi } = await import('../../ui/run-ui.js');
  const engine = await Engine.start({ workspaceDir: dir });
  let tick: ReturnType<typeof ticker> | undefined;
  try {
    await runUi({
      workspaceDir: dir,
      engine,
      onReady: (store) => {
        store.note('info', `demo workspace: ${dir}`);
        tick = ticker(
          team,
          pace,
          (done) => {
            const runs = store.getSnapshot().runs;
            store.setBanner(progressLine(team, done, conductor === 'person' && runs.some((r) => r.waitsOn === 'conductor'), runs.find((r) => r.waitsOn === 'person')));
          },
          (e) => store.note('error', `demo: ${e.message}`),
        );
      },
    });
  } finally {
    tick?.stop();
    await engine.stop();
  }
  // On a line of its own: the UI's last line ends without a newline.
  say(`\nThe demo workspace stays in ${dir} (teamstate runs --workspace ${dir}).\n`);
}

async function runHeadless(dir: string, team: ScriptedTeam, pace: number): Promise<void> {
  const t0 = Date.now();
  const log = (line: string) => sayLine(`${new Date().toISOString()} ${line}`);
  const engine = await Engine.start({ workspaceDir: dir, log });
  log(`demo: workspace ${dir}`);
  let last = '';
  const tick = ticker(
    team,
    pace,
    (done) => {
      const line = done ? 'demo: every stage played' : progressLine(team, false);
      if (line !== last) log((last = line));
    },
    (e) => log(`demo: ${e.message}`),
  );
  // The whole task takes well under a minute; a stuck demo must not hang CI.
  const limit = setTimeout(() => tick.stop(), Math.max(300_000, pace * 100));
  await tick.finished;
  clearTimeout(limit);
  tick.stop();
  const done = (await team.tick()) === true;
  await engine.stop();
  if (!done) throw new UserError(`the demo did not finish (stuck at "${team.progress()[0]?.label}"); see the runs in ${dir} with \`teamstate show ${DEMO_TASK.id} --workspace ${dir}\``);
  log(`demo: done in ${Math.round((Date.now() - t0) / 1000)} s — \`teamstate show ${DEMO_TASK.id} --workspace ${dir}\` replays it`);
}
