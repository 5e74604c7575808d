import type { Command } from 'commander';
import { UserError } from '../../errors.js';

/** Registers `teamstate inbox`. */
export function registerInbox(program: Command): void {
  program
    .command('inbox')
    .description('(not built yet)')
    .action(() => {
      throw new UserError('inbox is not built yet');
    });
}
