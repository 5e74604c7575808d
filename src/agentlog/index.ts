import type { Adaptation, AgentLogConfig } from './types.js';
import { deriveAdaptations } from './adapt.js';
import { agentLogFile, parseAgentLog } from './read.js';
import { isTransient } from '../engine/faults.js';
import { readLastEntries } from './tail.js';

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
export { lastEntries } from './tail.js';

/**
 * Before a task: reads the project's agent log and derives the adaptations. Never
 * throws for a missing or broken log; what could not be read is in `problems`. A fault
 * that passes (EMFILE, EIO) is thrown, for the engine to wait out.
 */
export async function adaptationsFor(projectDir: string, cfg: AgentLogConfig): Promise<{ file: string; adaptations: Adaptation[]; problems: string[] }> {
  const file = agentLogFile(projectDir, cfg);
  let text: string;
  try {
    // The rules look at the last `window` entries: a long log is neither read nor parsed whole before every task.
    text = await readLastEntries(file, cfg.window * 3 + 2);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { file, adaptations: [], problems: [] };
    // Too many open files, a failing disk: the log is there but not readable right now. The
    // task waits for it (the engine retries) rather than starting without its adaptations.
    if (isTransient(e)) throw e;
    return { file, adaptations: [], problems: [`cannot read the agent log ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}; check its permissions or the agentLog.path setting`] };
  }
  const log = parseAgentLog(text);
  return { file, adaptations: deriveAdaptations(log.entries, cfg), problems: log.problems };
}
