import type { Command } from 'commander';
import { UserError } from '../../errors.js';

/** Registers `teamstate init`. */
export function registerInit(program: Command): void {
  program
    .command('init')
    .description('(not built yet)')
    .action(() => {
      throw new UserError('init is not built yet');
    });
}
