import type { Command } from 'commander';
import { UserError } from '../../errors.js';

/** Registers `teamstate replay`. */
export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('(not built yet)')
    .action(() => {
      throw new UserError('replay is not built yet');
    });
}
