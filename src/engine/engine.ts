import { EventEmitter } from 'node:events';
import { initialTransition } from 'xstate';
import type { MachineEntry } from '../../machines/index.js';
import { machines } from '../../machines/index.js';
import { UserError } from '../errors.js';
import type { Mailbox } from '../store/mailbox.js';
import type { RunStore } from '../store/types.js';
import type { Config } from '../workspace/config-schema.js';
import type { WorkspacePaths } from '../workspace/paths.js';
import { expandRecipients } from './addresses.js';
import type { Effects } from './apply.js';
import { applyEvent, persist, stateLabel } from './apply.js';
import { deliverOutbox } from './deliver-outbox.js';
import { KeyedQueue } from './keyed-queue.js';
import type { EventSource, RunRecord, RunState } from './run-state.js';
import type { CompactState } from './run-state.js';
import { compactState, isFinished, newRunState } from './run-state.js';
import { setTaskStatusSafe } from './tasks.js';
import { TimerTable } from './timers.js';

/** What the engine needs from outside; time and ids are ports (STYLE.md). */
export interface EngineDeps {
  paths: WorkspacePaths;
  config: Config;
  store: RunStore;
  mailbox: Mailbox;
  now?: () => number;
  /** One line per transition, and warnings. */
  log?: (line: string) => void;
}

/** Events for readers (the UI): a run changed, or something needs saying. */
export interface EngineEvents {
  run: [RunState];
  warning: [string];
}

/** Starts the work of a step; the engine's step runner implements it. */
export interface StepStarter {
  start(runId: string, id: string, state: RunState): void;
  stop(runId: string, id: string): void;
}

/**
 * The durable core: applies one event to one run at a time (load → transition →
 * journal → effects), keeps every run's state in memory, and carries out effects only
 * after they are journaled (DESIGN §4).
 */
export class RunEngine extends EventEmitter<EngineEvents> {
  readonly entry: MachineEntry;
  readonly now: () => number;
  readonly runs = new Map<string, RunState>();
  private readonly seqs = new Map<string, number>();
  /** Runs being created (a HANDOFF in the queue): later messages of the same scan route to them. */
  readonly creating = new Set<string>();
  readonly queue = new KeyedQueue();
  readonly timers: TimerTable;
  steps?: StepStarter;
  private snapshotDue = new Set<string>();

  constructor(readonly deps: EngineDeps) {
    super();
    const entry = machines[deps.config.engine.machine];
    if (!entry) throw new UserError(`config engine.machine: "${deps.config.engine.machine}" is not a known machine (known: ${Object.keys(machines).join(', ')})`);
    this.entry = entry;
    this.now = deps.now ?? Date.now;
    this.timers = new TimerTable(this.now, (runId, id, timer) => {
      void this.queue.run(runId, () => this.commit(runId, { kind: 'timer', id }, timer.event)).catch((e) => this.warn(`timer ${id} of ${runId}: ${String(e)}`));
    });
  }

  /** Creates a run for a task: its first journal record holds the machine's initial state. */
  async create(runId: string, task: { id: string; subject: string; description: string }): Promise<RunState> {
    const existing = this.runs.get(runId);
    if (existing) return existing;
    const now = this.now();
    const limits = this.deps.config.limits;
    const input = {
      runId,
      task,
      limits: {
        planRevisions: limits.planRevisions,
        fixCycles: limits.fixCycles,
        implementRounds: limits.implementRounds,
        approvalReminderMs: limits.approvalReminderMs,
        approvalEscalateMs: limits.approvalEscalateMs,
      },
    };
    const [snapshot] = initialTransition(this.entry.machine, input);
    const state = newRunState(runId, { id: this.entry.id, version: this.entry.version }, persist(snapshot), now);
    await this.append(runId, { seq: 1, at: now, kind: 'created', machine: state.machine, input, state });
    this.runs.set(runId, state);
    return state;
  }

  /**
   * Applies one event to a run: the pure transition, then the journal record (durable
   * when this resolves), then the effects. Returns the record. Must be called inside the
   * run's queue. A message whose key the run has already applied is not applied again.
   */
  async commit(runId: string, source: EventSource, event: { type: string; from?: string; [k: string]: unknown }): Promise<RunRecord | undefined> {
    const before = this.runs.get(runId);
    if (!before) throw new Error(`no run ${runId}`);
    const key = source.kind === 'message' || source.kind === 'person' ? source.key : undefined;
    if (key && before.seen.includes(key)) return undefined;
    if (source.kind === 'step' && before.steps[source.id]?.attempt !== source.attempt) return undefined;
    if (source.kind === 'timer' && !before.timers[source.id]) return undefined;

    const now = this.now();
    const applied = applyEvent(this.entry, before, event, {
      now,
      self: this.deps.config.engine.member,
      recipients: (to) => expandRecipients(to, this.deps.config),
    });
    const state: RunState = { ...applied.state, seen: key ? [...before.seen, key] : before.seen };
    // A fired timer is spent whatever it did, or it would be re-armed and fire again.
    if (source.kind === 'timer') state.timers = withoutKey(state.timers, source.id);
    if (source.kind === 'message') state.last = { dir: 'in', peer: source.from, type: source.type, firstLine: source.firstLine, at: now };
    const lastOut = applied.effects.outbox.at(-1);
    if (lastOut) state.last = { dir: 'out', peer: lastOut.recipients.join(', '), type: lastOut.message.type, firstLine: lastOut.message.body.split('\n')[0] ?? '', at: now };

    const record: RunRecord = {
      seq: this.nextSeq(runId),
      at: now,
      kind: 'event',
      source,
      event,
      ...(applied.outOfPlace ? { outOfPlace: applied.outOfPlace } : {}),
      outbox: applied.effects.outbox,
      ...compactRecord(state, applied.effects.start),
    };
    await this.append(runId, record);
    this.runs.set(runId, state);
    this.logTransition(runId, before, state, event, applied.outOfPlace);
    await this.carryOut(runId, state, applied.effects);
    return record;
  }

  /** Effects of a journaled transition: steps, timers, task status, then deliveries. */
  private async carryOut(runId: string, state: RunState, effects: Effects): Promise<void> {
    for (const id of effects.stop) this.steps?.stop(runId, id);
    for (const id of effects.start) this.steps?.start(runId, id, state);
    this.timers.sync(runId, state.timers);
    if (effects.task) await setTaskStatusSafe(this.deps.paths, state, effects.task, this.deps.config.engine.member, (w) => this.warn(w));
    await this.flushOutbox(runId);
    const latest = this.runs.get(runId)!;
    if (isFinished(latest)) {
      // Cached here, once: a later writeSnapshots would find its journal closed and read it whole.
      this.snapshotDue.delete(runId);
      await this.deps.store.writeSnapshot(runId, this.seqs.get(runId)!, latest);
      await this.deps.store.markFinished(runId);
    } else {
      this.snapshotDue.add(runId);
    }
    this.emit('run', latest);
  }

  /** Delivers what the run has journaled and not yet delivered, then journals that it did. */
  async flushOutbox(runId: string): Promise<void> {
    const state = this.runs.get(runId)!;
    if (state.undelivered.length === 0) return;
    const keys = await deliverOutbox(this.deps.mailbox, state.undelivered, (w) => this.warn(w));
    await this.append(runId, { seq: this.nextSeq(runId), at: this.now(), kind: 'delivered', keys });
    const done = new Set(keys);
    this.runs.set(runId, { ...this.runs.get(runId)!, undelivered: this.runs.get(runId)!.undelivered.filter((o) => !done.has(o.key)) });
  }

  /** Journals another attempt of a step interrupted by a crash (at-least-once, DESIGN §4). */
  async restartStep(runId: string, id: string): Promise<RunState> {
    const state = this.runs.get(runId)!;
    const step = state.steps[id]!;
    const attempt = (state.attempts[id] ?? step.attempt) + 1;
    await this.append(runId, { seq: this.nextSeq(runId), at: this.now(), kind: 'step-started', id, attempt });
    const next: RunState = { ...state, steps: { ...state.steps, [id]: { ...step, attempt, startedAt: this.now() } }, attempts: { ...state.attempts, [id]: attempt } };
    this.runs.set(runId, next);
    return next;
  }

  /** Adopts a run read back from the store (recovery). */
  adopt(state: RunState, seq: number): void {
    this.runs.set(state.runId, state);
    this.seqs.set(state.runId, seq);
  }

  /**
   * Writes the snapshot cache of runs that changed since the last call and now wait on
   * someone else (no step running). A run with steps in flight is skipped: its next
   * commit comes soon and marks it due again, so a busy run is cached once it settles,
   * not after every step (the cache serves resume, where runs are waiting). `all` (on
   * stop) writes every changed run.
   */
  async writeSnapshots(all = false): Promise<void> {
    const due = all ? [...this.snapshotDue] : [...this.snapshotDue].filter((id) => Object.keys(this.runs.get(id)?.steps ?? {}).length === 0);
    for (const id of due) this.snapshotDue.delete(id);
    await Promise.all(
      due.map((id) =>
        this.queue.run(id, async () => {
          const state = this.runs.get(id);
          if (state) await this.deps.store.writeSnapshot(id, this.seqs.get(id)!, state);
        }),
      ),
    );
  }

  warn(line: string): void {
    this.deps.log?.(`warning: ${line}`);
    this.emit('warning', line);
  }

  private async append(runId: string, record: RunRecord): Promise<void> {
    await this.deps.store.append(runId, [record]);
    this.seqs.set(runId, record.seq);
  }

  /** The seq of the run's next record; taken only once the append succeeds. */
  private nextSeq(runId: string): number {
    return (this.seqs.get(runId) ?? 0) + 1;
  }

  private logTransition(runId: string, before: RunState, after: RunState, event: { type: string; from?: string }, outOfPlace?: string): void {
    if (!this.deps.log) return;
    const what = `${event.type}${event.from ? ` from ${event.from}` : ''}`;
    if (outOfPlace) this.deps.log(`${runId}: ${what} out of place: ${outOfPlace}`);
    else this.deps.log(`${runId}: ${stateLabel(before.snapshot.value)} → ${stateLabel(after.snapshot.value)} (${what})`);
  }
}

/** The record's state, and the inputs of the steps this event started. */
function compactRecord(state: RunState, started: string[]): { state: CompactState; inputs?: Record<string, unknown> } {
  const { state: compact } = compactState(state);
  if (started.length === 0) return { state: compact };
  return { state: compact, inputs: Object.fromEntries(started.map((id) => [id, state.steps[id]?.input])) };
}

function withoutKey<T>(o: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _gone, ...rest } = o;
  return rest;
}
