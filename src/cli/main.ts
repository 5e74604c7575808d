#!/usr/bin/env node
// First: compiler settings apply to what is compiled after them.
import './v8-tuning.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { UserError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import { commandsFor } from './commands/index.js';
import { fileSystemFault } from './fs-fault.js';
import { complain } from './output.js';

/** teamstate's version, from its package.json. */
function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** Whether the command line asks for JSON (options after `--` are arguments, not flags). */
function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/**
 * The `teamstate` CLI. Exit codes: 0 ok, 1 a user error (one line on stderr saying
 * what to do), 2 a bug (the stack, so it can be reported).
 */
export async function main(argv: string[]): Promise<number> {
  const json = wantsJson(argv);
  // With --json, a mistake is one JSON object on stdout, {"error": "..."}, so scripts can parse it.
  const fail = (message: string, detail?: string): void => {
    if (json) process.stdout.write(`${JSON.stringify({ error: message, ...(detail ? { detail } : {}) })}\n`);
    else complain(`teamstate: ${message}\n${detail ? `${detail}\n` : ''}`);
  };
  const program = new Command('teamstate')
    .description('Durable state machines for AI-agent teammates, driven by inbox folders')
    .version(version(), '-V, --version', "print teamstate's version")
    .showHelpAfterError(json ? false : '(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => (json ? undefined : complain(s)) });
  try {
    for (const register of await commandsFor(argv)) register(program);
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version arrive here too, with exit code 0.
      if (e.exitCode === 0) return 0;
      if (json) fail(e.message.replace(/^error: /, ''));
      return 1;
    }
    if (e instanceof UserError) {
      fail(e.message);
      return e.exitCode;
    }
    const fault = fileSystemFault(e);
    if (fault) {
      fail(fault);
      return 1;
    }
    fail('internal error (please report it):', e instanceof Error ? (e.stack ?? e.message) : String(e));
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
