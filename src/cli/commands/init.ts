import path from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { resolveWorkspaceDir } from '../../workspace/config.js';
import { initWorkspace } from '../../workspace/init.js';
import { PRESETS } from '../../workspace/config-template.js';
import type { Preset } from '../../workspace/config-template.js';
import { say } from '../output.js';

interface InitFlags {
  preset: Preset;
  force?: boolean;
  workspace?: string;
  fsync: boolean;
}

/** Registers `teamstate init [DIR]`: a new workspace with a commented default config. */
export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a workspace: teamstate.json (commented) and inboxes/, runs/, tasks/, control/')
    .argument('[dir]', 'folder to create it in (default: --workspace, else . when ./teamstate.json exists, else ./workspace)')
    .addOption(
      new Option('--preset <preset>', 'default: built-in and manual steps; instant: every step done at once (tests, demos); claude, codex, gemini: that CLI does the LLM steps')
        .choices([...PRESETS])
        .default('default'),
    )
    .option('--force', 'replace an existing teamstate.json (inboxes, runs and tasks are kept)')
    .option('--workspace <dir>', 'workspace folder, when DIR is not given')
    .option('--no-fsync', 'skip fsync (throwaway demos only)')
    .action(async (dir: string | undefined, flags: InitFlags) => {
      const root = dir !== undefined ? path.resolve(dir) : resolveWorkspaceDir(flags.workspace);
      const config = await initWorkspace(root, { preset: flags.preset, force: flags.force ?? false, fsync: flags.fsync });
      // As typed from here when it is under here; else the whole path (not ../../…).
      const under = path.relative(process.cwd(), root);
      const rel = under === '' ? '.' : under.startsWith('..') || path.isAbsolute(under) ? root : under;
      say(
        [
          `Created workspace ${root}${flags.preset !== 'default' ? ` (preset: ${flags.preset})` : ''}`,
          `  teamstate.json   team: ${config.members.join(', ')}; engine runs ${config.engine.member}`,
          `  inboxes/<member>/{tmp,new,cur,rejected}, runs/, tasks/, control/`,
          `Next: edit ${path.join(rel, 'teamstate.json')} (steps, project), then \`teamstate start --workspace ${rel}\`.`,
          '',
        ].join('\n'),
      );
    });
}
