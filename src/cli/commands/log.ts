import type { Command } from 'commander';
import { UserError } from '../../errors.js';

/** Registers `teamstate log`. */
export function registerLog(program: Command): void {
  program
    .command('log')
    .description('(not built yet)')
    .action(() => {
      throw new UserError('log is not built yet');
    });
}
