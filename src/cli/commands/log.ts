import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { deriveAdaptations, readAgentLog, trends } from '../../agentlog/index.js';
import type { Adaptation, LogEntry, Trends } from '../../agentlog/index.js';
import { UserError } from '../../errors.js';
import { loadConfig, resolveWorkspaceDir } from '../../workspace/config.js';
import { agentLogSchema } from '../../workspace/config-schema.js';
import type { AgentLogConfig } from '../../workspace/config-schema.js';
import { WorkspacePaths } from '../../workspace/paths.js';
import { say, sayJson } from '../output.js';
import { projectOf } from '../../workspace/project.js';

interface LogOptions {
  json?: boolean;
  workspace?: string;
  project?: string;
}

/** Registers `teamstate log`: the agent log's entries, trends and the adaptations they imply. */
export function registerLog(program: Command): void {
  program
    .command('log')
    .description("show the backend-engineer's agent log: entries, trends over tasks, adaptations for the next task")
    .option('--json', 'print one JSON object instead of text')
    .option('--workspace <dir>', 'the workspace folder (default: . when it holds teamstate.json, else ./workspace)')
    .option('--project <dir>', 'the project folder (default: the config\'s "project", else the workspace\'s project/ folder)')
    .action(async (opts: LogOptions) => {
      const { projectDir, cfg } = await locate(opts);
      const log = await readAgentLog(projectDir, cfg);
      const report = {
        file: log.file,
        exists: log.exists,
        header: log.header,
        entries: log.entries.map(entryJson),
        problems: log.problems,
        trends: trends(log.entries),
        adaptations: deriveAdaptations(log.entries, cfg),
      };
      if (opts.json) sayJson(report);
      else say(text(report));
    });
}

/** The project and the log settings: from the workspace config, `--project` overriding its folder. */
async function locate(opts: LogOptions): Promise<{ projectDir: string; cfg: AgentLogConfig }> {
  const cwd = process.cwd();
  const workspaceDir = resolveWorkspaceDir(opts.workspace, cwd);
  const hasConfig = existsSync(new WorkspacePaths(workspaceDir).configFile);
  // `--project` alone works without a workspace: the log settings are then the defaults.
  if (!hasConfig && opts.project !== undefined && opts.workspace === undefined) {
    return { projectDir: path.resolve(cwd, opts.project), cfg: agentLogSchema.parse({}) };
  }
  const config = await loadConfig(workspaceDir);
  const projectDir =
    opts.project !== undefined ? path.resolve(cwd, opts.project) : projectOf(workspaceDir, config).dir;
  if (!existsSync(projectDir)) {
    throw new UserError(`project folder ${projectDir} does not exist; fix "project" in ${new WorkspacePaths(workspaceDir).configFile} or pass --project DIR`);
  }
  return { projectDir, cfg: config.agentLog };
}

function entryJson(e: LogEntry): Omit<LogEntry, 'taskId'> & { taskId: string | null } {
  return { ...e, taskId: e.taskId ?? null };
}

const pct = (rate: number, of: number): string => (of === 0 ? 'n/a' : `${Math.round(rate * 100)}% (${Math.round(rate * of)}/${of})`);
const flag = (b: boolean | null): string => (b === null ? '?' : b ? 'yes' : 'no');

function text(r: { file: string; exists: boolean; entries: unknown[]; problems: string[]; trends: Trends; adaptations: Adaptation[] }): string {
  if (!r.exists && r.problems.length === 0) return `No agent log yet at ${r.file}; the first finished task writes it.\n`;
  const t = r.trends;
  const unreadable = r.entries.length - t.tasks;
  const out = [`Agent log: ${r.file} (${t.tasks} ${t.tasks === 1 ? 'entry' : 'entries'}${unreadable > 0 ? `, ${unreadable} unreadable` : ''})`, ''];
  if (t.perTask.length > 0) {
    const rows = [
      ['DATE', 'TASK', 'FIX CYCLES', 'FIRST PASS', 'PLAN 1ST TRY', 'SENTINEL 1ST TRY', 'BREAKER BUGS', 'COST'],
      ...t.perTask.map((p) => [
        p.date,
        p.taskId === null ? p.task : `${p.task} (${p.taskId})`,
        p.fixCycles === null ? '?' : String(p.fixCycles),
        flag(p.firstPass),
        p.planApproved === false && p.planRevisions ? `no (${p.planRevisions} rev)` : flag(p.planApproved),
        flag(p.sentinelFirstTry),
        p.breakerBugs === null ? '?' : String(p.breakerBugs),
        p.costUsd === null ? '-' : `$${p.costUsd.toFixed(2)}`,
      ]),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => Math.min(row[i]!.length, 40))));
    for (const row of rows) out.push(row.map((c, i) => (c.length > 40 ? c.slice(0, 39) + '…' : c).padEnd(widths[i]!)).join('  ').trimEnd());
    out.push('');
    out.push(`Trends over ${t.tasks} tasks:`);
    out.push(`  fix cycles per task:       ${t.fixCycles.join(', ') || 'n/a'} (${t.fixCyclesTrend})`);
    out.push(`  first-pass success:        ${pct(t.firstPassRate, t.rated.firstPass)}`);
    out.push(`  plan approved first try:   ${pct(t.approvalRate, t.rated.approval)}`);
    out.push(`  sentinel passed first try: ${pct(t.sentinelFirstPassRate, t.rated.sentinel)}`);
    if (t.meanCostUsd !== null) out.push(`  cost per task:             ${t.costPerTask.map((c) => `$${c.toFixed(2)}`).join(', ')} (mean $${t.meanCostUsd.toFixed(2)})`);
    out.push('');
  }
  if (r.adaptations.length === 0) out.push('Adaptations for the next task: none (no rule reached its threshold)');
  else {
    out.push('Adaptations for the next task:');
    for (const a of r.adaptations) out.push(`  - [${a.rule}] ${a.instruction}`, `    because ${a.reason}`);
  }
  if (r.problems.length > 0) {
    out.push('', `Problems (${r.problems.length}; the entries are kept as written):`);
    for (const p of r.problems) out.push(`  - ${p}`);
  }
  return out.join('\n') + '\n';
}
