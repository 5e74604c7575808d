import type { MachineEntry } from '../../machines/index.js';
import { UserError } from '../errors.js';
import type { Mailbox } from '../mailbox/port.js';
import { JournalCorruptError, JournalGoneError } from '../store/errors.js';
import type { RunStore } from '../store/types.js';
import type { Config } from '../workspace/config-schema.js';
import type { WorkspacePaths } from '../workspace/paths.js';
import type { RunRecord, RunState } from './run-state.js';

// What the run core (core.ts) needs from outside, what it tells, and how it fails.

/** The run store as the engine uses it: its records and its snapshot states. */
export type RunStoreOf = RunStore<RunRecord, RunState>;

/** What the engine needs from outside; time and ids are ports. */
export interface EngineDeps {
  paths: WorkspacePaths;
  config: Config;
  store: RunStoreOf;
  mailbox: Mailbox;
  now?: () => number;
  /** The machines this engine can run, by id. @default the built-in registry (machines/index.ts) */
  machines?: Readonly<Record<string, MachineEntry>>;
  /** One line per transition, and warnings. */
  log?: (line: string) => void;
}

/** Events for readers (the UI): a run changed, or something needs saying. */
export interface EngineEvents {
  run: [RunState];
  warning: [string];
}

/** An event for a quarantined run: it is refused, and a message that carried it is kept aside with this. */
export class QuarantinedError extends UserError {
  constructor(
    readonly runId: string,
    readonly reason: string,
  ) {
    super(`run ${runId} is quarantined (${reason}); it takes no more messages`);
  }
}

/**
 * A message whose key (its [ID:]) the run applied already with other content: not a copy
 * of that message but another one under the same ID. It is not applied; the message is
 * kept aside with this, so its sender learns why and can send it again with a new ID.
 */
export class ReusedIdError extends UserError {
  constructor(
    readonly runId: string,
    readonly key: string,
  ) {
    const id = key.startsWith('id:') ? `[ID: ${key.slice(3)}]` : `key ${key}`;
    super(`another message under ${id}: run ${runId} already applied a message with that ID and other content, so this one was not applied; send it again with a new [ID:] (or without one) to have it applied`);
  }
}

/** Whether a store error means the run's journal is damaged or gone, not a passing fault of the disk. */
export function isRunDamage(e: unknown): boolean {
  return e instanceof JournalCorruptError || e instanceof JournalGoneError;
}

/** Starts the work of a step; the engine's step runner implements it. */
export interface StepStarter {
  start(runId: string, id: string, state: RunState): void;
  stop(runId: string, id: string): void;
  /** Whether step `id` completes at once (instant or built-in work), so the engine runs it inside the macro-step. */
  inline(runId: string, id: string, state: RunState): boolean;
  /** Runs such a step and gives its done or error event. Never rejects. */
  runInline(runId: string, id: string, state: RunState): Promise<{ type: string; output?: unknown; error?: unknown }>;
  /** The run left the unfinished runs in memory (it finished, or is left on disk with no step in flight): nothing is kept for it. */
  forget?(runId: string): void;
}

