import type { Command } from 'commander';
import { UserError } from '../../errors.js';

/** Registers `teamstate complete`. */
export function registerComplete(program: Command): void {
  program
    .command('complete')
    .description('(not built yet)')
    .action(() => {
      throw new UserError('complete is not built yet');
    });
}
