import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import {
  CHECK_AGENTS, RULES, checkProject, dependencyBaseline, findingsOf, renderReports, renderSummary,
  type CheckAgent, type DependencyBaseline,
} from '../../checks/index.js';
import { loadConfig, resolveWorkspaceDir } from '../../workspace/config.js';
import type { ChecksConfig } from '../../workspace/config-schema.js';
import { CONFIG_FILE_NAME } from '../../workspace/paths.js';
import { say, sayJson } from '../output.js';

interface CheckFlags {
  json?: boolean;
  format?: string;
  rule?: string[];
  agent?: string[];
  file?: string[];
  workspace?: string;
  baseline?: string;
  saveBaseline?: string;
  listRules?: boolean;
}

/** Collects a repeatable option; commas separate values too (`--rule a,b --rule c`). */
const collect = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

/** The checks config and project folder: from --workspace, or a workspace found here, else defaults. */
async function settings(flags: CheckFlags, projectArg?: string): Promise<{ project: string; checks?: ChecksConfig }> {
  const wsDir = resolveWorkspaceDir(flags.workspace);
  const hasConfig = flags.workspace !== undefined || existsSync(path.join(wsDir, CONFIG_FILE_NAME));
  const config = hasConfig ? await loadConfig(wsDir) : undefined;
  const project = projectArg !== undefined
    ? path.resolve(projectArg)
    : config?.project !== undefined ? path.resolve(wsDir, config.project) : process.cwd();
  return { project, checks: config?.checks };
}

async function readBaseline(file: string): Promise<DependencyBaseline> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    throw new UserError(`${file}: cannot read the baseline (${e instanceof Error ? e.message : String(e)}); write one with \`teamstate check --save-baseline ${file}\``);
  }
  const files = (parsed as { files?: unknown } | null)?.files;
  if (typeof files !== 'object' || files === null) throw new UserError(`${file}: expected {"files": {...}} as written by \`teamstate check --save-baseline\``);
  return parsed as DependencyBaseline;
}

/** Registers `teamstate check [PATH]`: the built-in sub-agent checks, outside a lifecycle. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description("run the built-in checks of the backend-engineer's enforced rules (architecture-validator, code-reviewer, security-auditor) on a FastAPI project")
    .argument('[path]', 'the project folder (default: the workspace config\'s project, else the current folder)')
    .option('--json', 'print the findings as JSON (same as --format json)')
    .option('--format <kind>', 'report (every finding, in the sub-agents\' formats), summary (counts per rule and per file) or json', 'report')
    .option('--rule <id>', `only this rule (repeatable); one of: ${RULES.map((r) => r.id).join(', ')}`, collect)
    .option('--agent <name>', `only this sub-agent's rules (repeatable): ${CHECK_AGENTS.join(', ')}`, collect)
    .option('--file <path>', 'only this file (repeatable)', collect)
    .option('--workspace <dir>', 'workspace whose teamstate.json "checks" (layout, disabled rules) to use')
    .option('--baseline <file>', 'report dependencies added or changed since this baseline (see --save-baseline)')
    .option('--save-baseline <file>', 'write the project\'s current dependencies to <file> and stop')
    .option('--list-rules', 'list the rules (id, sub-agent, severity, blocking, what it checks) and stop')
    .addHelpText('after', '\nExit status: 0 when no blocking findings, 1 when there are (or on a usage error).')
    .action(async (projectArg: string | undefined, flags: CheckFlags) => {
      if (flags.listRules) {
        const width = Math.max(...RULES.map((r) => r.id.length));
        for (const r of RULES) {
          say(`${r.id.padEnd(width)}  ${r.agent.padEnd(22)}  ${r.severity.padEnd(8)}  ${r.blocking ? 'blocking' : 'advisory'}  ${r.title}\n`);
        }
        return;
      }
      const format = flags.json ? 'json' : (flags.format ?? 'report');
      if (!['report', 'summary', 'json'].includes(format)) throw new UserError(`unknown format "${format}": expected report, summary or json`);
      const agentNames = flags.agent ?? [];
      const ruleIds = flags.rule ?? [];
      const files = flags.file ?? [];
      for (const a of agentNames) {
        if (!(CHECK_AGENTS as readonly string[]).includes(a)) throw new UserError(`unknown agent "${a}": expected one of ${CHECK_AGENTS.join(', ')}`);
      }
      const agents = agentNames.length > 0 ? (agentNames as CheckAgent[]) : undefined;
      const { project, checks } = await settings(flags, projectArg);
      if (flags.saveBaseline !== undefined) {
        await fs.writeFile(flags.saveBaseline, `${JSON.stringify(await dependencyBaseline(project), null, 2)}\n`);
        say(`teamstate check: wrote the dependency baseline of ${project} to ${flags.saveBaseline}\n`);
        return;
      }
      const result = await checkProject(project, {
        agents,
        rules: ruleIds.length > 0 ? ruleIds : undefined,
        files: files.length > 0 ? files.map((f) => path.resolve(f)) : undefined,
        config: checks,
        baseline: flags.baseline !== undefined ? await readBaseline(flags.baseline) : undefined,
      });
      const blocking = result.findings.filter((f) => f.blocking).length;
      if (format === 'json') {
        sayJson({ project, blocking, ...result });
      } else {
        const shown = agents ?? CHECK_AGENTS.filter((a) => result.rules.some((id) => RULES.find((r) => r.id === id)?.agent === a));
        say(format === 'summary' ? renderSummary(result, shown, project) : renderReports(shown, result));
        const per = shown.map((a) => `${a}: ${findingsOf(a, result).summary}`).join('\n');
        say(`\n${per}\nteamstate check: ${result.findings.length} findings (${blocking} blocking) in ${result.filesChecked} files of ${project}\n`);
      }
      if (blocking > 0) process.exitCode = 1;
    });
}
