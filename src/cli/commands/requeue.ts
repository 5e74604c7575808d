import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { loadConfig } from '../../workspace/config.js';
import { WorkspacePaths } from '../../workspace/paths.js';
import { locateRejected, requeueRejected } from '../../workspace/requeue.js';

/** Registers `teamstate requeue FILE`: a fixed rejected message goes back into its inbox. */
export function registerRequeue(program: Command): void {
  program
    .command('requeue')
    .description("put a rejected message back into its inbox once you fixed it (checked first, as the engine reads it)")
    .argument('<file>', 'the rejected message: inboxes/<member>/rejected/<name>')
    .action(async (file: string) => {
      const where = locateRejected(file);
      const config = await loadConfig(where.root);
      if (!config.members.includes(where.member)) throw new UserError(`${where.member} is not a member of the team in ${where.root}`);
      const paths = new WorkspacePaths(where.root);
      const to = await requeueRejected(paths, config, where.member, where.name, { fsync: config.fsync });
      process.stdout.write(`requeued ${where.name} into ${path.relative(process.cwd(), to) || to}; its reason file was removed\n`);
    });
}
