import type { Command } from 'commander';
import { UserError } from '../../errors.js';

/** Registers `teamstate send`. */
export function registerSend(program: Command): void {
  program
    .command('send')
    .description('(not built yet)')
    .action(() => {
      throw new UserError('send is not built yet');
    });
}
