import type { Command } from 'commander';
import { diagnose } from '../doctor/checks.js';
import { resolveWorkspaceDir } from '../../workspace/config.js';

const MARK = { ok: '✓', note: '·', problem: '✗' } as const;

/** Registers `teamstate doctor`: checks a workspace before (or while) an engine runs on it; exit 1 on any problem. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check a workspace: the config, the project, each step program on PATH, the inbox folders, the lock, the runs; exit 1 on any problem')
    .option('--workspace <dir>', 'workspace folder (default: . when ./teamstate.json exists, else ./workspace)')
    .option('--json', 'print the findings as JSON')
    .action(async (flags: { workspace?: string; json?: boolean }) => {
      const root = resolveWorkspaceDir(flags.workspace);
      const findings = await diagnose(root);
      const problems = findings.filter((f) => f.level === 'problem').length;
      if (flags.json) process.stdout.write(`${JSON.stringify({ workspace: root, problems, findings }, null, 2)}\n`);
      else {
        process.stdout.write(`teamstate doctor: ${root}\n${findings.map((f) => `${MARK[f.level]} ${f.check.padEnd(8)} ${f.text}`).join('\n')}\n`);
        process.stdout.write(problems ? `${problems} problem${problems === 1 ? '' : 's'}: fix ${problems === 1 ? 'it' : 'them'} as said above\n` : 'no problems\n');
      }
      if (problems) process.exitCode = 1;
    });
}
