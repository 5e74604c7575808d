import type { Command } from 'commander';
import { UserError } from '../../errors.js';

/** Registers `teamstate check`. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('(not built yet)')
    .action(() => {
      throw new UserError('check is not built yet');
    });
}
