import type { AgentLogConfig } from '../workspace/config-schema.js';

export type { AgentLogConfig };

/** One sub-agent's part in a task, as its report was reduced (see handlers/types.ts `Findings`). */
export interface SubagentResult {
  agent: string;
  /** One line a person reads; `skipped` for a sub-agent that was not run. */
  finding: string;
  blocking: number;
  counts: Record<string, number>;
}

/**
 * What one run measured, ready to become a log entry. Every figure comes from the run's
 * journal (messages, step outcomes), never from a guess.
 */
export interface RunMetrics {
  /** YYYY-MM-DD, from the injected clock. */
  date: string;
  /** The task's summary (its subject); the heading adds `(task <id>)`. */
  task: string;
  taskId: string;
  filesChanged: { file: string; change: string }[];
  layerViolations: { count: number; details: string[] };
  /** Empty when the naming conventions were followed. */
  namingDeviations: string[];
  /** Each sub-agent's finding; `skipped` for the ones not run. */
  subagents: SubagentResult[];
  /** No fix cycles and no implement re-rounds. */
  firstPassSuccess: boolean;
  /** What each cycle fixed, e.g. "BUG-1 null email (breaker)". */
  fixCycles: { count: number; fixed: string[] };
  planApprovedFirstTry: boolean;
  planRevisions: number;
  /** Bug classes (injection, null-handling, ...) as `classifyBug` read them from the BUG messages. */
  breakerBugs: { count: number; classes: string[] };
  sentinelPassedFirstTry: boolean;
  securityFindings: { injection: number; total: number };
  /** "Backend-specific learnings (NEW)": facts derived from the run. */
  learnings: string[];
  /** "What I'd do differently": adjustments derived from the figures. */
  differently: string[];
  /** What the task's LLM steps cost, when any reported usage. */
  cost?: { usd: number; inputTokens: number; outputTokens: number; turns: number; unknown?: boolean };
}

/** A log entry read back from the file. Figures the text lacks are absent from `metrics`. */
export interface LogEntry {
  /** YYYY-MM-DD, or '' when the heading could not be read. */
  date: string;
  /** The task summary from the heading, without the `(task id)` suffix. */
  task: string;
  taskId?: string;
  /** False when the heading is not `## <date> — <summary>`: the entry is kept as text only. */
  valid: boolean;
  metrics: Partial<RunMetrics>;
  /** Figures the entry does not state (hand-written entries often leave some out). */
  missing: string[];
  /** The entry's text exactly as in the file (LF line ends), heading included. */
  raw: string;
  /** 1-based line of the heading in the file. */
  line: number;
}

export type AdaptationRule = 'layer-violations' | 'injection' | 'plan-rejections' | 'repeated-bug-class';

/** A change of approach drawn from the log: goes into the prompts, shown with its reason. */
export interface Adaptation {
  rule: AdaptationRule;
  instruction: string;
  /** Cites the figures, e.g. "layer violations in 2 of the last 5 tasks (2026-11-20 Add users: 2, ...)". */
  reason: string;
}

/** The parsed log: the header kept verbatim, the entries, and what could not be read. */
export interface ParsedLog {
  header: string;
  entries: LogEntry[];
  problems: string[];
}
