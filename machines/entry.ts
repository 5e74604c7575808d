import type { AnyStateMachine } from 'xstate';
import type { Message } from '../src/protocol/schema.js';

/** A lifecycle stage, as the stepper shows it. State nodes name theirs in `meta.stage`. */
export interface StageDef {
  id: string;
  label: string;
}

/**
 * What a state node may say about itself in `meta` (read by the engine, CLI and UI, so no
 * table of state names lives outside the machine):
 * - `stage`: the lifecycle stage a top-level state belongs to;
 * - `expects`: what the state waits for, in words (out-of-place reasons);
 * - `step`: on a step's compound state, the step a person retries or completes there.
 * A final state with no stage is a run stopped before its end (cancelled).
 */
export interface NodeMeta {
  stage?: string;
  expects?: string;
  step?: string;
}

/** The task a run works on. */
export interface RunTask {
  id: string;
  subject: string;
  description: string;
}

/** A sub-agent's finished result, as the run view shows it. */
export type SubagentView = { status: 'skipped' | 'failed'; summary: string } | { status: 'done'; summary: string; blocking: number };

/** A message that asked for a person's eyes. */
export interface NoticeView {
  type: string;
  from: string;
  firstLine: string;
  messageId: string;
  attention: boolean;
}

/**
 * A run's context read for everyone outside the machine, so no one casts the context:
 * fields a machine has no use for are left at their empty values.
 */
export interface RunView {
  task: RunTask;
  /** Why the run waits on a person, when it does. */
  blocked?: string;
  plan?: string;
  cancelReason?: string;
  revision: number;
  fixCycles: number;
  fixLimit?: number;
  notices: NoticeView[];
  /** How many agent-log adaptations the run works under. */
  adaptations: number;
  subagents: Record<string, SubagentView>;
  /**
   * The stage the context places the run at when its state alone doesn't say: where an
   * escalation came from, or how far a cancelled run got.
   */
  stage?: string;
  /** A stage's label for this run when it differs from the stage's own ("fix #2"). */
  stageLabels?: Record<string, string>;
  /** What `teamstate show` lists about the run, in the machine's words, one line each. */
  facts: { label: string; lines: string[] }[];
}

/** The limits a run starts with, as the config holds them. */
export type RunLimitsConfig = Record<string, unknown>;

/**
 * What the machine says of a message that would start a run: it does (with the task's
 * subject), or it is refused with the reason (a HANDOFF from someone who may not start one).
 */
export type Start = { ok: true; subject: string } | { ok: false; reason: string };

/** An event made from a team message; `from` and `messageId` say who and which. */
export interface MessageEvent {
  type: string;
  from: string;
  messageId: string;
}

/**
 * A teammate's machine as the engine sees it. Adding a teammate is a new file in
 * machines/ plus an entry in machines/index.ts; the engine does not change.
 */
export interface MachineEntry {
  id: string;
  version: number;
  machine: AnyStateMachine;
  /** Every step the machine invokes; each is done by a configured handler. */
  steps: readonly string[];
  /** The steps shown as sub-agent rows (run side by side). */
  subagents: readonly string[];
  /** The lifecycle's stages in order. */
  stages: readonly StageDef[];
  /** The machine's input for a new run. */
  input: (run: { runId: string; task: RunTask; limits: RunLimitsConfig }) => unknown;
  /** A team message as this machine's event (who may say what is the machine's guards' question). */
  event: (m: Message, from: string, messageId: string) => MessageEvent;
  /** Whether a message with no run yet starts one, and the task subject it gives. */
  starts: (m: Message, from: string) => Start | undefined;
  /** What starts a run, in words, for messages that name a task with no run. */
  startHint: string;
  /** The task a run's context works on (cheap: the engine asks on every outgoing message). */
  task: (context: unknown) => RunTask;
  /** The run's context (and its state value), read for the CLI and the UI. */
  view: (context: unknown, value: unknown) => RunView;
  /** Why an event changed nothing in this state (shown to the user). */
  explain: (state: string, status: string, event: { type: string; from?: string }) => string;
  /**
   * Upgrades a persisted snapshot from an older version, one version at a time:
   * migrations[n] turns a version-n snapshot into version n+1.
   */
  migrations: Record<number, (snapshot: unknown) => unknown>;
}
