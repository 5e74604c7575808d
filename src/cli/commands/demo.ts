import type { Command } from 'commander';
import { UserError } from '../../errors.js';

/** Registers `teamstate demo`. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('(not built yet)')
    .action(() => {
      throw new UserError('demo is not built yet');
    });
}
