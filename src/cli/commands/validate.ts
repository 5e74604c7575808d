import type { Command } from 'commander';
import { UserError } from '../../errors.js';

/** Registers `teamstate validate`. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('(not built yet)')
    .action(() => {
      throw new UserError('validate is not built yet');
    });
}
