#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { parseTeammateArgv } from '../teams/argv.js';
import { execInPlace, findClaude, namesWeRun, teammateWorkspace } from '../teams/dispatch.js';
import { runTeammate } from '../teams/run.js';
import { fileSystemFault } from './fs-fault.js';
import { complain, sayLine } from './output.js';

/**
 * `teamstate-teammate`: the command a Claude Code lead runs for each pane teammate when
 * `CLAUDE_CODE_TEAMMATE_COMMAND` names it. For a name teamstate runs, the engine is that
 * teammate; for any other name the real `claude` runs with the same argv and environment.
 * Exit codes: 0 ok (also after the lead's shutdown), 1 a mistake one line explains, 2 a bug.
 */
export async function main(argv: string[]): Promise<number> {
  const env = process.env;
  try {
    const args = parseTeammateArgv(argv);
    const names = await namesWeRun(teammateWorkspace(process.cwd(), env), env);
    if (!args.name || !names.includes(args.name.toLowerCase())) {
      return await execInPlace(await findClaude(env, fileURLToPath(import.meta.url)), argv, env);
    }
    const log = (line: string) => sayLine(`${new Date().toISOString()} ${line}`);
    return await runTeammate({ args, cwd: process.cwd(), env, log, ui: process.stdout.isTTY === true && env.TEAMSTATE_HEADLESS !== '1' });
  } catch (e) {
    if (e instanceof UserError) {
      complain(`teamstate-teammate: ${e.message}\n`);
      return e.exitCode;
    }
    // A full disk, a read-only folder, a missing permission: the person's to fix, not a bug.
    const fault = fileSystemFault(e);
    if (fault) {
      complain(`teamstate-teammate: ${fault}\n`);
      return 1;
    }
    complain(`teamstate-teammate: internal error (please report it):\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    complain(`teamstate-teammate: internal error: ${String(e)}\n`);
    process.exitCode = 2;
  },
);
