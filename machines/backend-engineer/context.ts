import type { Findings, StepOutcome } from '../../src/handlers/types.js';
import type { MessageType, Priority } from '../../src/protocol/schema.js';

/** The limits a run is held to, copied from the config when the run starts. */
export interface RunLimits {
  planRevisions: number;
  fixCycles: number;
  implementRounds: number;
  approvalReminderMs: number;
  approvalEscalateMs: number;
}

export interface Adaptation {
  rule: string;
  instruction: string;
  reason: string;
}

/** A BUG or FAIL waiting to be fixed, or being fixed. */
export interface Issue {
  type: 'BUG' | 'FAIL';
  from: string;
  body: string;
  messageId: string;
}

/** A message that needs a person's eyes: a REQUEST, a WARNING, an unclear word from the conductor. */
export interface Notice {
  type: MessageType;
  from: string;
  firstLine: string;
  messageId: string;
  attention: boolean;
}

export type SubagentResult = { status: 'skipped' | 'failed'; summary: string } | ({ status: 'done' } & Findings);

export interface RunContext {
  runId: string;
  task: { id: string; subject: string; description: string };
  limits: RunLimits;
  /** The analyst's HANDOFF that started the run. */
  handoff: string;
  landmines: number;
  adaptations: Adaptation[];
  plan?: string;
  /** Files the plan names, and whether it changes the schema (database-architect runs only then). */
  planFiles: string[];
  schemaChange: boolean;
  revision: number;
  rejections: string[];
  planApprovedFirstTry?: boolean;
  implementRound: number;
  /** Blocking sub-agent findings that sent the run back to implementing. */
  findings?: string;
  subagents: Record<string, SubagentResult>;
  /** Every sub-agent round's findings, for the log. */
  findingsHistory: { round: number; agent: string; blocking: number; counts: Record<string, number>; summary: string }[];
  files: string[];
  issues: Issue[];
  current?: Issue;
  fixCycles: number;
  fixed: string[];
  breakerBugs: number;
  bugTitles: string[];
  sentinelVerdicts: ('PASS' | 'FAIL')[];
  /** Breaker said CLEAR: done attacking, no (more) bugs found. */
  breakerCleared?: boolean;
  notices: Notice[];
  /** Why the run waits on a person, when it does. */
  blocked?: string;
  escalation?: { kind: 'plan' | 'fix' | 'findings'; reason: string };
  cancelReason?: string;
}

export interface RunInput {
  runId: string;
  task: { id: string; subject: string; description: string };
  limits: RunLimits;
}

interface FromMessage {
  from: string;
  messageId: string;
  body: string;
  priority: Priority;
}

/** Events the engine makes from messages, from people, and from step work. */
export type RunEvent =
  | ({ type: 'HANDOFF'; landmines: number } & FromMessage)
  | ({ type: 'PLAN_DECISION'; approved: boolean; feedback: string } & FromMessage)
  | ({ type: 'CANCEL' } & FromMessage)
  | ({ type: 'BUG' } & FromMessage)
  | ({ type: 'FAIL' } & FromMessage)
  | ({ type: 'PASS' } & FromMessage)
  | ({ type: 'CLEAR' } & FromMessage)
  | ({ type: 'NOTICE'; messageType: MessageType; attention: boolean } & FromMessage)
  | { type: 'LOG_READ'; adaptations: Adaptation[] }
  | { type: 'RETRY'; from: string; step: string }
  | { type: 'STEP_COMPLETED'; from: string; step: string; outcome: StepOutcome }
  | { type: `xstate.done.actor.${string}`; output: StepOutcome }
  | { type: `xstate.error.actor.${string}`; error: unknown };

const NO_LIMITS: RunLimits = { planRevisions: 0, fixCycles: 0, implementRounds: 0, approvalReminderMs: 0, approvalEscalateMs: 0 };

/** Every event that comes from a team message. */
export const MESSAGE_EVENTS = ['HANDOFF', 'PLAN_DECISION', 'CANCEL', 'BUG', 'FAIL', 'PASS', 'CLEAR', 'NOTICE'] as const;

export function initialContext(input: RunInput): RunContext {
  // xstate's pure transition() builds a throwaway actor without input; give it a cheap
  // context instead of an exception on every transition.
  if (input === undefined) return initialContext({ runId: '', task: { id: '', subject: '', description: '' }, limits: NO_LIMITS });
  return {
    runId: input.runId,
    task: input.task,
    limits: input.limits,
    handoff: '',
    landmines: 0,
    adaptations: [],
    planFiles: [],
    schemaChange: false,
    revision: 0,
    rejections: [],
    implementRound: 0,
    subagents: {},
    findingsHistory: [],
    files: [],
    issues: [],
    fixCycles: 0,
    fixed: [],
    breakerBugs: 0,
    bugTitles: [],
    sentinelVerdicts: [],
    notices: [],
  };
}

/**
 * A message the machine asks the engine to send. The engine adds FROM, TASK and ID,
 * journals it with the transition, and delivers it after.
 */
export interface Outgoing {
  to: string[];
  type: MessageType;
  priority: Priority;
  body: string;
  action?: string;
  replyTo?: string;
}

/** Effects emitted by the machine (`emit`), carried out by the engine after journaling. */
export type RunEmitted =
  | { type: 'send'; message: Outgoing }
  | { type: 'task'; status: 'in_progress' | 'completed' };
