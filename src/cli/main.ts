#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { UserError } from '../errors.js';
import { commands } from './commands/index.js';
import { complain } from './output.js';

/**
 * The `teamstate` CLI. Exit codes: 0 ok, 1 a user error (one line on stderr saying
 * what to do), 2 a bug (the stack, so it can be reported).
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('teamstate')
    .description('Durable state machines for AI-agent teammates, driven by inbox folders')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => complain(s) });
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version arrive here too, with exit code 0.
      return e.exitCode === 0 ? 0 : 1;
    }
    if (e instanceof UserError) {
      complain(`teamstate: ${e.message}\n`);
      return e.exitCode;
    }
    complain(`teamstate: internal error (please report it):\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    complain(`teamstate: internal error: ${String(e)}\n`);
    process.exitCode = 2;
  },
);
