import type { Command } from 'commander';
import { UserError } from '../../errors.js';

/** Registers `teamstate show`. */
export function registerShow(program: Command): void {
  program
    .command('show')
    .description('(not built yet)')
    .action(() => {
      throw new UserError('show is not built yet');
    });
}
