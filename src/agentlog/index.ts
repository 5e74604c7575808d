import { statSync } from 'node:fs';
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

/** What {@link adaptationsFor} found. */
export interface Found {
  file: string;
  adaptations: Adaptation[];
  problems: string[];
}

/**
 * The last adaptations derived per log file, with the file's version (device, inode,
 * size, modification time) and the config they were derived with: the runs that start
 * between two finished runs (200 at once under load, 5,000 in a burst, every run resumed
 * mid-step at a start) share one read of the log's end instead of each reading and
 * parsing it (a 64 KB buffer per task). A few files at most: one per project.
 */
const derived = new Map<string, { version: string; cfg: AgentLogConfig; found: Found }>();
const DERIVED_KEPT = 16;

/**
 * Before a task: reads the project's agent log and derives the adaptations. Never
 * throws for a missing or broken log; what could not be read is in `problems`. A fault
 * that passes (EMFILE, EIO) is thrown, for the engine to wait out.
 */
export async function adaptationsFor(projectDir: string, cfg: AgentLogConfig): Promise<Found> {
  const file = agentLogFile(projectDir, cfg);
  let version: string;
  let text: string;
  try {
    const st = statSync(file);
    version = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
    const known = derived.get(file);
    if (known && known.version === version && known.cfg === cfg) return known.found;
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
  const found = { file, adaptations: deriveAdaptations(log.entries, cfg), problems: log.problems };
  // Read as the version seen before it (a change meanwhile only makes the next task read again).
  derived.delete(file);
  derived.set(file, { version, cfg, found });
  if (derived.size > DERIVED_KEPT) derived.delete(derived.keys().next().value!);
  return found;
}
