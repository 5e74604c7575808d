import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { Engine } from '../../engine/engine.js';
import { UserError } from '../../errors.js';
import { resolveWorkspaceDir } from '../../workspace/config.js';
import { initWorkspace } from '../../workspace/init.js';
import { CONFIG_FILE_NAME } from '../../workspace/paths.js';
import { onFirstSignal } from '../../signals.js';
import { LineLog } from '../line-log.js';
import { startPathDone } from '../start-path.js';

interface StartFlags {
  workspace?: string;
  headless?: boolean;
  init?: boolean;
}

/** Registers `teamstate start`: the engine, with the terminal UI or headless. */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the engine on a workspace: the terminal UI when stdout is a terminal, else headless')
    .option('--workspace <dir>', 'workspace folder (default: . when ./teamstate.json exists, else ./workspace)')
    .option('--headless', 'no UI: print READY, then one line per transition')
    .option('--init', 'create the workspace first when it has no teamstate.json')
    .action(async (flags: StartFlags) => {
      const workspaceDir = resolveWorkspaceDir(flags.workspace);
      if (flags.init && !existsSync(path.join(workspaceDir, CONFIG_FILE_NAME))) await initWorkspace(workspaceDir);
      if (!flags.headless && process.stdout.isTTY) {
        const { runUi } = await import('../../ui/run-ui.js');
        await runUi({ workspaceDir });
        return;
      }
      await runHeadless(workspaceDir);
    });
}

/**
 * Headless: READY once the lock is held, every run recovered and the inbox watched, the
 * first scan begun (a backlog waiting at start is taken in after READY, each message once);
 * one line per transition (written a few ms of lines at a time: LineLog); SIGINT/SIGTERM
 * finish the message in hand and exit 0.
 */
async function runHeadless(workspaceDir: string): Promise<void> {
  const t0 = performance.now();
  // Whoever reads the log may go away (`| head`, a supervisor restarted): the engine goes on without it.
  let reader = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    reader = false;
  });
  const lines = new LineLog((text) => void (reader && process.stdout.write(text)));
  const log = lines.line;
  const engine = await Engine.start({ workspaceDir, log, awaitBacklog: false });
  const runs = engine.core.runs.size;
  const project = engine.project;
  if (project.concern) log(`warning: project ${project.dir}: ${project.concern}; the steps and the agent log write there. Set "project" in ${engine.paths.configFile}`);
  else if (!project.configured) log(`note: no "project" in ${engine.paths.configFile}: the steps work in ${project.dir}`);
  log(
    `READY ${engine.config.engine.member} on ${workspaceDir} (project ${project.dir}; pid ${process.pid}; ${runs} unfinished run${runs === 1 ? '' : 's'} recovered; ${Math.round(performance.now() - t0)} ms)`,
  );
  // READY goes out now, not after the batch's few ms: whoever waits for it (a supervisor,
  // the bench) is told at once, before the steps' code loads in the background.
  lines.flush();
  startPathDone();
  const ended = await new Promise<string | undefined>((resolve) => {
    const stop = (signal: string) => {
      log(`${signal}: finishing the messages in hand`);
      void engine.stop().then(() => {
        log('stopped');
        resolve(undefined);
      });
    };
    onFirstSignal(['SIGINT', 'SIGTERM'], stop);
    // The engine stopped by itself (its workspace gone, its lock taken): said as a warning already.
    void engine.ended.then(resolve);
  });
  lines.flush();
  if (ended !== undefined) throw new UserError(ended);
}
