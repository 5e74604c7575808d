import type { StepName } from '../workspace/config-schema.js';
import type { Usage } from './llm/usage.js';

export type { Usage } from './llm/usage.js';

/** An LLM CLI's session a step works in: journaled before the spawn (or as soon as the CLI names it). */
export interface StepSession {
  cli: 'claude' | 'codex' | 'gemini';
  id: string;
  /** Set when a new session replaced the one asked for, with why (shown to people). */
  fresh?: string;
}

/**
 * What a step is given: the run's context as plain data, and where to keep its files.
 * The engine builds it from the snapshot; handlers never see the machine.
 */
export interface StepRequest {
  runId: string;
  step: StepName;
  /** 1 for the first try of this step in this round; grows on re-runs after a crash. */
  attempt: number;
  /** The step's input, as the machine's invoke resolved it (see machines/backend-engineer.ts). */
  input: StepInput;
  /** `runs/<run>/steps/<step>-<attempt>/`: the step's own folder, created by the engine. */
  dir: string;
  /** The project under work (absolute). */
  projectDir: string;
  /** Aborted when the run leaves the step (cancel, shutdown). */
  signal: AbortSignal;
  /**
   * The project's dependencies when the run began, and the ones the approved plan names:
   * a dependency added since, and not in the plan the conductor approved, is a finding.
   */
  dependencies?: { baseline: unknown; approved: string[] };
  /**
   * Set by the plan step runner when it asks again: the sections the previous answer
   * lacked, so the prompt can name them.
   */
  missingSections?: string[];
  /** The session an earlier attempt of this step left unfinished (a crash, a failed try): resume it. */
  session?: StepSession;
  /** Journals the session a try is about to use, before it spawns (or once the CLI names it). */
  noteSession?: (session: StepSession) => Promise<void>;
  /** The run's budget (limits.maxCostUsd) and what the run has cost so far. */
  budget?: { limitUsd: number; spentUsd: number };
}

/** The run's context as a step sees it. */
export interface StepInput {
  task: { id: string; subject: string; description: string };
  /** The analyst's HANDOFF body. */
  handoff: string;
  /** The plan being drafted, implemented or fixed (markdown in the submission format). */
  plan?: string;
  /** Feedback from each rejection so far, oldest first. */
  rejections: string[];
  /** Revision number of the plan (0 for the first draft). */
  revision: number;
  /** For fix: the BUG or FAIL message being fixed. */
  issue?: { type: 'BUG' | 'FAIL'; from: string; body: string };
  /** Findings from the last sub-agent round, that sent the run back to implementing. */
  findings?: string;
  /** Adaptations drawn from the agent log, each with its reason. */
  adaptations: { rule: string; instruction: string; reason: string }[];
  /** Files the run has changed so far, as reported by implement/fix. */
  files: string[];
  /** For architecture-validator: check the plan's file list (before coding) or the code. */
  mode?: 'plan' | 'code';
  /** Files the plan names. */
  planFiles?: string[];
}

/** How a step ended, and what its tries used (journaled with it: the run's usage is their sum). */
export type StepOutcome = (
  | { status: 'done'; output: StepOutput }
  | { status: 'failed'; reason: string }
  | { status: 'needs-person'; reason: string }
) & { usage?: Usage };

export interface StepOutput {
  /** The main text: the plan, the implementation summary, the sub-agent's report. */
  text: string;
  /** Files the step changed or reviewed. */
  files?: string[];
  /** For sub-agents: what the report found. */
  findings?: Findings;
  /** For plan: what the plan says, read from its sections. */
  plan?: { files: string[]; schemaChange: boolean; landmines: number; touchesDoNotTouch: string[] };
}

/** A sub-agent report, reduced to what decides the run's path and what the log records. */
export interface Findings {
  /** Blocking findings send the run back to implementing. */
  blocking: number;
  /** Counts by severity or kind, as the report stated them. */
  counts: Record<string, number>;
  /** One line a person reads. */
  summary: string;
  /** Set when the report could not be read at all: why. Such a report is never a pass. */
  unreadable?: string;
}

/** Does the work of one step. Must honour `signal` and never throw for expected failures. */
export type StepHandler = (request: StepRequest) => Promise<StepOutcome>;
