import type { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Every command, in the order --help lists them: the names it registers and how to load
 * its module. A module is loaded only when its command runs (or for --help), so
 * `teamstate start` does not load the code of `show`, `demo` or `check`.
 */
const COMMANDS: { names: string[]; load: () => Promise<Register> }[] = [
  { names: ['init'], load: async () => (await import('./init.js')).registerInit },
  { names: ['start'], load: async () => (await import('./start.js')).registerStart },
  { names: ['send'], load: async () => (await import('./send.js')).registerSend },
  { names: ['inbox'], load: async () => (await import('./inbox.js')).registerInbox },
  { names: ['validate'], load: async () => (await import('./validate.js')).registerValidate },
  { names: ['runs'], load: async () => (await import('./runs.js')).registerRuns },
  { names: ['show'], load: async () => (await import('./show.js')).registerShow },
  { names: ['replay'], load: async () => (await import('./replay.js')).registerReplay },
  { names: ['complete', 'retry', 'decide', 'cancel'], load: async () => (await import('./complete.js')).registerComplete },
  { names: ['log'], load: async () => (await import('./log.js')).registerLog },
  { names: ['check'], load: async () => (await import('./check.js')).registerCheck },
  { names: ['worktrees'], load: async () => (await import('./worktrees.js')).registerWorktrees },
  { names: ['doctor'], load: async () => (await import('./doctor.js')).registerDoctor },
  { names: ['requeue'], load: async () => (await import('./requeue.js')).registerRequeue },
  { names: ['demo'], load: async () => (await import('./demo.js')).registerDemo },
];

/**
 * The commands to register for `argv`: only the one it names when its first word is a
 * command, else all of them (--help, `help`, a mistyped name that commander suggests a
 * fix for). The CLI has no options before the command that take a value.
 */
export async function commandsFor(argv: readonly string[]): Promise<Register[]> {
  const word = argv.find((a) => !a.startsWith('-'));
  const named = COMMANDS.find((c) => word !== undefined && c.names.includes(word));
  return Promise.all((named ? [named] : COMMANDS).map((c) => c.load()));
}

/**
 * Whether `argv` opens the terminal UI: `start` or `demo` without --headless, with stdout
 * a terminal, as their actions decide. The launcher (src/cli/launch.ts) runs those from
 * the ES-module build, the only one that holds the UI.
 */
export function showsUi(argv: readonly string[], stdoutIsTerminal: boolean): boolean {
  const word = argv.find((a) => !a.startsWith('-'));
  return stdoutIsTerminal && (word === 'start' || word === 'demo') && !argv.includes('--headless');
}
