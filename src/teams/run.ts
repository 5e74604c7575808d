import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { Engine } from '../engine/engine.js';
import type { RunState } from '../engine/run-state.js';
import { isFinished } from '../engine/run-state.js';
import { firstLine } from '../protocol/text.js';
import { initWorkspace } from '../workspace/init.js';
import { WorkspacePaths } from '../workspace/paths.js';
import type { TeammateArgs } from './argv.js';
import { teammateWorkspace } from './dispatch.js';
import type { Seat } from './mailbox.js';
import { TeamMailbox } from './mailbox.js';
import { onFirstSignal } from '../signals.js';
import { SeatPaths, TeamPaths, claudeHome } from './paths.js';
import { Roster } from './roster.js';
import { markTeamTask } from './task-list.js';

export interface TeammateOptions {
  args: TeammateArgs;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** One line per transition, and warnings (headless). */
  log: (line: string) => void;
  /** Show the terminal UI (the pane is a terminal). */
  ui: boolean;
}

/**
 * Runs the engine as a teammate of a Claude Code agent team (DESIGN §6) until the lead's
 * shutdown_request (answered, exit 0), a signal, or the person quitting the UI. The
 * workspace is created as `teamstate init` would when missing.
 */
export async function runTeammate(o: TeammateOptions): Promise<number> {
  const { args, env } = o;
  if (!args.name || !args.team) throw new UserError('the teammate argv names no agent and team: expected --agent-id <name>@<team> (or --agent-name and --team-name), as Claude Code passes them');
  const workspaceDir = teammateWorkspace(o.cwd, env);
  // Made on first use, its project the folder the lead runs in (where Claude Code's own teammates work).
  if (!existsSync(new WorkspacePaths(workspaceDir).configFile)) await initWorkspace(workspaceDir, { project: path.relative(workspaceDir, o.cwd) || '.' });
  const team = new TeamPaths(claudeHome(env), args.team, env.CLAUDE_CODE_TASK_LIST_ID || args.team);
  const seat: Seat = { name: args.name, team: args.team, planModeRequired: args.planModeRequired, ...(args.color ? { color: args.color } : {}) };
  await fs.mkdir(team.inboxesDir, { recursive: true });

  // Read by the mailbox during the engine's start (recovery delivers), before start returns.
  const ref: { engine?: Engine } = {};
  let mailbox: TeamMailbox | undefined;
  let roster: Roster | undefined;
  let spawnPrompt: string | undefined;
  let onPrompt: (text: string) => void = () => undefined;
  let shutdown!: () => void;
  const shutdownAsked = new Promise<void>((resolve) => (shutdown = resolve));
  const warn = (line: string) => (ref.engine ? ref.engine.core.warn(line) : o.log(`warning: ${line}`));

  const engine = await Engine.start({
    workspaceDir,
    log: o.ui ? undefined : o.log,
    mailbox: (paths, config) => {
      roster = new Roster(team.configFile, config, warn);
      mailbox = new TeamMailbox({
        paths,
        config,
        team,
        seatPaths: new SeatPaths(paths, args.team!, args.name!),
        seat,
        roster,
        env,
        warn,
        runState: (id) => ref.engine?.run(id),
        onShutdown: () => shutdown(),
        onSpawnPrompt: (text) => {
          spawnPrompt = text;
          onPrompt(text);
        },
      });
      return mailbox;
    },
  });
  ref.engine = engine;
  const seatPaths = new SeatPaths(engine.paths, args.team, args.name);
  spawnPrompt ??= await fs.readFile(seatPaths.spawnPrompt, 'utf8').catch(() => undefined);
  const tasks = trackTeamTasks(team, seat.name, warn);
  for (const r of engine.runs()) tasks(r);
  engine.core.on('run', tasks);


  const banner = () =>
    `teammate ${seat.name} of team ${seat.team} · lead ${roster!.lead}${seat.planModeRequired ? ' · plans go to the lead for approval' : ''} · spawn prompt: ${spawnPrompt ? firstLine(spawnPrompt, 100) : '(none yet)'}`;

  // The engine stopped by itself (its workspace gone, its lock taken): the pane's command says why and exits 1.
  const ended = engine.ended.then((why) => {
    o.log(`error: ${why}`);
    return 'ended';
  });
  const finish = async (why: string): Promise<number> => {
    await engine.stop();
    if (why === 'ended') return 1;
    if (why === 'shutdown') {
      await mailbox!.approveShutdown();
      o.log(`shutdown approved for ${roster!.lead}; exiting`);
    }
    return 0;
  };

  if (o.ui) {
    const { runUi } = await import('../ui/run-ui.js');
    const quit = runUi({
      workspaceDir,
      engine,
      onReady: (store) => {
        store.setBanner(banner());
        onPrompt = () => store.setBanner(banner());
      },
    });
    const why = await Promise.race([quit.then(() => 'quit'), shutdownAsked.then(() => 'shutdown'), signalled(), ended]);
    const code = await finish(why);
    // The UI is still drawn when the lead asked us to go: leave without waiting for a key.
    if (why !== 'quit') process.exit(code);
    return code;
  }
  o.log(`READY ${engine.config.engine.member} as teammate ${seat.name} of team ${seat.team} (pid ${process.pid}; inbox ${mailbox!.inboxFile}; workspace ${engine.paths.root}; project ${engine.project.dir})`);
  if (spawnPrompt) o.log(`spawn prompt from ${roster!.lead}: ${firstLine(spawnPrompt, 200)}`);
  onPrompt = (text) => o.log(`spawn prompt from ${roster!.lead}: ${firstLine(text, 200)}`);
  const why = await Promise.race([shutdownAsked.then(() => 'shutdown'), signalled(), ended]);
  if (why !== 'ended') o.log(`${why}: finishing the messages in hand`);
  return finish(why);
}

/** Resolves with the name of the first of SIGINT, SIGTERM, SIGHUP (a closed pane) to arrive. */
function signalled(): Promise<string> {
  return new Promise((resolve) => {
    onFirstSignal(['SIGINT', 'SIGTERM', 'SIGHUP'], resolve);
  });
}

/**
 * Marks each run's task in_progress in the team's task list (when the list has it), once
 * per task. Completion is marked with the run's last message (TeamMailbox.deliver), so a
 * crash between the two can't lose it.
 */
function trackTeamTasks(team: TeamPaths, owner: string, warn: (line: string) => void): (state: RunState) => void {
  const done = new Set<string>();
  return (state) => {
    const id = (state.snapshot.context as { task?: { id?: string } }).task?.id;
    if (!id || done.has(id) || isFinished(state)) return;
    done.add(id);
    markTeamTask(team, id, 'in_progress', owner).catch((e: Error) => {
      done.delete(id);
      warn(`team task ${id}: could not mark it in_progress: ${e.message}`);
    });
  };
}
