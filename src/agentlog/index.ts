import type { Adaptation, AgentLogConfig } from './types.js';
import { deriveAdaptations } from './adapt.js';
import { readAgentLog } from './read.js';

export type { Adaptation, AdaptationRule, AgentLogConfig, LogEntry, ParsedLog, RunMetrics, SubagentResult } from './types.js';
export { parseAgentLog, readAgentLog, agentLogFile } from './read.js';
export { renderEntry, appendEntry, withEntry } from './write.js';
export { deriveAdaptations, renderAdaptations } from './adapt.js';
export { trends } from './trends.js';
export type { Trends, TaskFigures } from './trends.js';
export { reflect } from './reflect.js';
export type { MeasuredRun } from './reflect.js';
export { classifyBug, BUG_CLASSES } from './bug-classes.js';
export { TEMPLATE_HEADER } from './format.js';

/**
 * Before a task: reads the project's agent log and derives the adaptations. Never
 * throws for a missing or broken log; what could not be read is in `problems`.
 */
export async function adaptationsFor(projectDir: string, cfg: AgentLogConfig): Promise<{ file: string; adaptations: Adaptation[]; problems: string[] }> {
  const log = await readAgentLog(projectDir, cfg);
  return { file: log.file, adaptations: deriveAdaptations(log.entries, cfg), problems: log.problems };
}
