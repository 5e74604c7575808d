import { makeTemp } from '../temp.js';
import type { LogEntry, RunMetrics } from '../../src/agentlog/index.js';
import { parseAgentLog, renderEntry } from '../../src/agentlog/index.js';
import { agentLogSchema } from '../../src/workspace/config-schema.js';
import type { AgentLogConfig } from '../../src/workspace/config-schema.js';

/** A clean run: everything passed first time. Override what a test is about. */
export function metrics(over: Partial<RunMetrics> = {}): RunMetrics {
  return {
    date: '2026-11-20',
    task: 'Add users endpoint',
    taskId: 't-1',
    filesChanged: [{ file: 'app/services/UserService.py', change: 'created' }],
    layerViolations: { count: 0, details: [] },
    namingDeviations: [],
    subagents: [{ agent: 'code-reviewer', finding: 'no issues', blocking: 0, counts: {} }],
    firstPassSuccess: true,
    fixCycles: { count: 0, fixed: [] },
    planApprovedFirstTry: true,
    planRevisions: 0,
    breakerBugs: { count: 0, classes: [] },
    sentinelPassedFirstTry: true,
    securityFindings: { injection: 0, total: 0 },
    learnings: ['no new backend pattern'],
    differently: ['keep the approach'],
    ...over,
  };
}

/** Entries as they read back from the log, one per run, oldest first. */
export function entriesOf(runs: RunMetrics[]): LogEntry[] {
  return parseAgentLog(runs.map(renderEntry).join('\n')).entries;
}

/** The default rule settings with some replaced. */
export function ruleConfig(over: Partial<AgentLogConfig> = {}): AgentLogConfig {
  return { ...agentLogSchema.parse({}), ...over };
}

export async function tempDir(prefix: string): Promise<string> {
  return makeTemp(`teamstate-agentlog-${prefix}-`);
}
