import type { Command } from 'commander';
import { UserError } from '../../errors.js';

/** Registers `teamstate runs`. */
export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('(not built yet)')
    .action(() => {
      throw new UserError('runs is not built yet');
    });
}
