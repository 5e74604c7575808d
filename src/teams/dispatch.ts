import { spawn } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import { loadConfig } from '../workspace/config.js';
import { DEFAULT_ALIASES, DEFAULT_ENGINE_MEMBER } from '../workspace/config-template.js';
import { WorkspacePaths } from '../workspace/paths.js';

/** The workspace of a teammate started in `cwd`: `TEAMSTATE_WORKSPACE`, else `.teamstate/` there. */
export function teammateWorkspace(cwd: string, env: NodeJS.ProcessEnv): string {
  const given = env.TEAMSTATE_WORKSPACE;
  return given && given.trim() !== '' ? path.resolve(cwd, given) : path.join(cwd, '.teamstate');
}

/**
 * The agent names teamstate runs: `TEAMSTATE_TEAMMATE_NAMES` (comma-separated) when set;
 * else the workspace config's engine member and its aliases; else, with no workspace yet,
 * those a new workspace would have (backend-engineer, builder). Lower-case.
 */
export async function namesWeRun(workspaceDir: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const given = env.TEAMSTATE_TEAMMATE_NAMES;
  if (given && given.trim() !== '') return given.split(',').map((n) => n.trim().toLowerCase()).filter(Boolean);
  const paths = new WorkspacePaths(workspaceDir);
  let member: string = DEFAULT_ENGINE_MEMBER;
  let aliases: Record<string, string> = DEFAULT_ALIASES;
  if (await fs.access(paths.configFile).then(() => true, () => false)) {
    // A broken config is the engine's to report: the default names still reach it.
    const config = await loadConfig(paths.root).catch(() => undefined);
    if (config) {
      member = config.engine.member;
      aliases = config.aliases;
    }
  }
  return [member, ...Object.entries(aliases).filter(([, target]) => target === member).map(([alias]) => alias)];
}

/**
 * The real `claude`: `TEAMSTATE_CLAUDE_BIN` when set, else the first `claude` on PATH that
 * is not this command itself (someone may have linked `claude` to it).
 */
export async function findClaude(env: NodeJS.ProcessEnv, self: string): Promise<string> {
  const me = await fs.realpath(self).catch(() => path.resolve(self));
  const isMe = async (file: string) => (await fs.realpath(file).catch(() => file)) === me;
  const given = env.TEAMSTATE_CLAUDE_BIN;
  if (given && given.trim() !== '') {
    if (await isMe(given)) throw new UserError(`TEAMSTATE_CLAUDE_BIN=${given} is teamstate-teammate itself; point it at the real claude`);
    return given;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, 'claude');
    const runnable = await fs.access(file, constants.X_OK).then(() => true, () => false);
    if (runnable && !(await isMe(file))) return file;
  }
  throw new UserError('no claude found on PATH (other than teamstate-teammate itself); install Claude Code or set TEAMSTATE_CLAUDE_BIN to its path');
}

/**
 * Runs `bin` with `args` and `env` in place of this process: `process.execve` where Node
 * has it (22.15 and later); else as a child on the same terminal, forwarding the signals
 * sent to this process only, and exiting as it exits.
 */
export async function execInPlace(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const execve = (process as unknown as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  if (typeof execve === 'function') execve(bin, [bin, ...args], env);
  const child = spawn(bin, args, { env, stdio: 'inherit' });
  // Ctrl-C and the like reach the whole process group, the child too: don't die of them here.
  const forward = (signal: NodeJS.Signals) => () => {
    if (signal === 'SIGTERM' || signal === 'SIGHUP') child.kill(signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
  const handlers = signals.map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return new Promise((resolve, reject) => {
    child.once('error', (e) => reject(new UserError(`could not run ${bin}: ${e.message}`)));
    child.once('exit', (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h);
      resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1));
    });
  });
}
