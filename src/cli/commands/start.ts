import type { Command } from 'commander';
import { UserError } from '../../errors.js';

/** Registers `teamstate start`. */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('(not built yet)')
    .action(() => {
      throw new UserError('start is not built yet');
    });
}
