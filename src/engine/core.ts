import { EventEmitter } from 'node:events';
import { initialTransition } from 'xstate';
import type { MachineEntry } from '../../machines/index.js';
import { machines } from '../../machines/index.js';
import { UserError } from '../errors.js';
import type { StepSession } from '../handlers/types.js';
import { expandRecipients } from './addresses.js';
import { FaultGate, isTransient } from './faults.js';
import type { Effects } from './apply.js';
import { besideWaits, eventRecord, logChain, netEffects, outboxOf, stageOutbox, taskOf, withCreated, withStagedState } from './commit-parts.js';
import { DeliveryRetry } from './delivery-retry.js';
import { KeyedQueue } from './keyed-queue.js';
import type { FirstState, Task } from './new-run.js';
import { newRun, refusalToStart } from './new-run.js';
import { afterDelivery, applyRecord } from './fold.js';
import { appendRun, nextSeqOf } from './run-append.js';
import type { EventRecord, EventSource, RunRecord, RunState } from './run-state.js';
import type { RunTable } from './run-table.js';
import { flushOutbox, retryDeliveries, settleFinished } from './run-outbox.js';
import { quarantineReadBack, quarantineRun } from './run-quarantine.js';
import { RunsInMemory } from './runs-in-memory.js';
import { SnapshotCache } from './snapshot-cache.js';
import { migrate } from './recover.js';
import { reusedKey } from './seen.js';
import { accepts, step } from './step.js';
import { TaskMarks } from './tasks.js';
import { TimerTable } from './timers.js';
import { QuarantinedError, ReusedIdError, type EngineDeps, type EngineEvents, type StepStarter } from './core-ports.js';

export { isRunDamage, QuarantinedError, ReusedIdError } from './core-ports.js';
export type { EngineDeps, EngineEvents, RunStoreOf, StepStarter } from './core-ports.js';

/**
 * The durable core: applies one event to one run at a time (load → transition →
 * journal → effects) and carries out effects only after they are journaled
 * (docs/DESIGN.md §4). The runs themselves are held in runs-in-memory.ts.
 */
export class RunCore extends EventEmitter<EngineEvents> {
  readonly entry: MachineEntry;
  /** The machines this engine knows (folds read tags from them). */
  readonly registry: Readonly<Record<string, MachineEntry>>;
  readonly now: () => number;
  /** The runs held: unfinished, the last few finished, and their seqs (runs-in-memory.ts). */
  readonly held: RunsInMemory;
  /** Unfinished runs (a waiting one may be left on disk: run-table.ts). */
  readonly runs: RunTable;
  /** Runs being created (a HANDOFF in the queue): later messages of the same scan route to them. */
  readonly creating = new Set<string>();
  readonly queue = new KeyedQueue();
  /** Per run, its `delivered` record held back to lead its next append, and the runs with a task queued to write it alone (run-outbox.ts). */
  readonly heldBack = new Map<string, Extract<RunRecord, { kind: 'delivered' }>>();
  readonly heldBackFlush = new Set<string>();
  /** Per run, what its next event's record waits for beside the staging of its replies (beforeRecord). */
  private readonly first = new Map<string, Promise<void>[]>();
  readonly timers: TimerTable;
  /** Undelivered replies, tried again with backoff while the engine runs. */
  readonly retry = new DeliveryRetry((runId) => retryDeliveries(this, runId));
  steps?: StepStarter;
  /** The machine's faults being waited out (a full disk, a read-only folder): said once, retried with backoff. */
  readonly faults: FaultGate;
  /** The snapshot caches: which runs are due, and where each was last written. */
  readonly snapshots: SnapshotCache;
  /** The machine's first state, as a new run would begin (what refusesToStart asks). */
  private firstState: FirstState | undefined;
  /** The runs' marks in the shared task list, retried after a passing fault. */
  private readonly tasks: TaskMarks;

  constructor(readonly deps: EngineDeps) {
    super();
    const registry = deps.machines ?? machines;
    this.registry = registry;
    const entry = registry[deps.config.engine.machine];
    if (!entry) throw new UserError(`config engine.machine: "${deps.config.engine.machine}" is not a known machine (known: ${Object.keys(registry).join(', ')})`);
    this.entry = entry;
    this.now = deps.now ?? Date.now;
    this.faults = new FaultGate(this.now, (line) => this.warn(line), { outOfFiles: () => void deps.store.releaseHandles?.().catch(() => undefined) });
    this.tasks = new TaskMarks(deps.paths, deps.config.engine.member, this.faults, (line) => this.warn(line));
    this.held = new RunsInMemory({
      store: deps.store,
      registry,
      faults: this.faults,
      journalOf: (id) => deps.paths.run(id).journal,
      migrate: (s) => migrate(this, s),
      damaged: (id, reason) => quarantineReadBack(this, id, reason),
      snapshots: () => this.snapshots,
      released: (id) => this.steps?.forget?.(id),
    });
    this.runs = this.held.table;
    this.snapshots = new SnapshotCache({ store: deps.store, queue: this.queue, runs: this.runs, faults: this.faults, get: (id) => this.get(id), seqOf: (id) => this.held.seqOf(id), warn: (line) => this.warn(line) });
    this.timers = new TimerTable(this.now, (runId, id, timer) =>
      this.queue.run(runId, () => this.commit(runId, { kind: 'timer', id }, timer.event)).then(
        () => this.faults.ok('firing timers'),
        (e: unknown) => {
          if (e instanceof QuarantinedError) return;
          if (!isTransient(e)) return this.fault(runId, `the fired timer ${id} could not be journaled: ${e instanceof Error ? e.message : String(e)}`);
          // Not spent: armed again (its deadline has passed, so it fires at once) after the wait.
          const again = () => {
            try {
              this.timers.sync(runId, this.get(runId)?.timers ?? {});
            } catch (err) {
              // The run could not be read back (the same passing fault): wait again.
              setTimeout(again, this.faults.fail('firing timers', err)).unref();
            }
          };
          setTimeout(again, this.faults.fail('firing timers', e)).unref();
        },
      ),
    );
  }

  /** Creates a run for a task: its first journal record holds the machine's initial state. */
  async create(runId: string, task: Task): Promise<RunState> {
    const existing = this.get(runId);
    if (existing) return existing;
    const { state, record } = newRun(this.entry, runId, this.input(runId, task), this.now());
    await this.append(runId, [record]);
    this.runs.set(runId, state);
    return state;
  }

  /**
   * Creates a run and applies its first event (the message that starts it) with one
   * append: the created record and the event's are journaled together, one fsync round
   * instead of two. A run that exists already just takes the event. Inside the run's queue.
   */
  async createWith(runId: string, task: Task, source: EventSource, event: { type: string; from?: string; [k: string]: unknown }): Promise<EventRecord | undefined> {
    if (this.get(runId)) return this.commit(runId, source, event);
    const { state, record } = newRun(this.entry, runId, this.input(runId, task), this.now());
    this.runs.set(runId, state);
    try {
      return await this.commit(runId, source, event, record);
    } finally {
      // Nothing was journaled (the append failed): the run does not exist.
      if (this.held.seqOf(runId) === undefined) this.runs.delete(runId);
    }
  }

  /** The machine's input for a new run. */
  input(runId: string, task: Task) {
    return this.entry.input({ runId, task, limits: this.deps.config.limits });
  }

  /** Why `event` cannot start a new run, or undefined when it can (new-run.ts). */
  refusesToStart(event: { type: string; from?: string }): string | undefined {
    const first = () => (this.firstState ??= initialTransition(this.entry.machine, this.input('new', { id: 'new', subject: '', description: '' }))[0]);
    return refusalToStart(this.entry, this.deps.config.engine.member, first, event);
  }

  /**
   * Applies one event to a run: the pure step, then the steps it started that complete at
   * once (instant and built-in work, run here inside the same macro-step), then one
   * journal record holding all of it (durable when this resolves), then the effects.
   * Returns the record. Must be called inside the run's queue. A message whose key the
   * run has already applied is not applied again; one that reuses the key of another
   * (an [ID:] applied with other content) throws ReusedIdError. `created`: the record of a run made
   * for this event and not journaled yet (see createWith), appended first.
   */
  async commit(runId: string, source: EventSource, event: { type: string; from?: string; [k: string]: unknown }, created?: RunRecord): Promise<EventRecord | undefined> {
    const before = this.get(runId);
    if (!before) throw new UserError(`no run "${runId}"; \`teamstate runs\` lists them`);
    if (before.quarantined) throw new QuarantinedError(runId, before.quarantined.reason);
    if (!accepts(before, source)) {
      if (created) await this.append(runId, [created]);
      // Not a copy of the message applied under this key: another one reusing its ID, kept aside by the caller.
      const reused = reusedKey(before, source);
      if (reused !== undefined) throw new ReusedIdError(runId, reused);
      return undefined;
    }
    const now = this.now();
    const ctx = { now, self: this.deps.config.engine.member, recipients: (to: string[]) => expandRecipients(to, this.deps.config) };
    const first = step(this.entry, before, source, event, ctx);
    const chain = [first];
    let state = first.state;
    // Steps that complete at once run now, so a reply costs one record, not one per step.
    let inline = first.effects.start.filter((id) => this.steps?.inline(runId, id, state));
    for (let round = 0; inline.length > 0 && round < MAX_INLINE_ROUNDS; round++) {
      const at = state;
      const ends = await Promise.all(inline.map((id) => this.steps!.runInline(runId, id, at)));
      const next: string[] = [];
      for (const [i, id] of inline.entries()) {
        const s = state.steps[id];
        if (!s || s.attempt !== at.steps[id]?.attempt) continue;
        const stepped = step(this.entry, state, { kind: 'step', id, attempt: s.attempt }, ends[i]!, ctx);
        chain.push(stepped);
        state = stepped.state;
        next.push(...stepped.effects.start.filter((sid) => this.steps?.inline(runId, sid, state)));
      }
      inline = next;
    }
    // Replies are staged before the record that sends them is written, so once it is on disk they can be handed over with one rename each.
    const waits = this.first.get(runId);
    this.first.delete(runId);
    const staged = await besideWaits(stageOutbox(this.deps.mailbox, outboxOf(chain)), waits);
    const record = eventRecord(this.nextSeq(runId) + (created ? 1 : 0), now, chain, staged);
    const delivered = await this.append(runId, withCreated(created, record));
    // The replies of the record before, journaled delivered ahead of this one (their keys are not this event's).
    if (delivered.length > 0) state = afterDelivery(state, delivered);
    if (staged.size > 0) state = withStagedState(state, staged);
    this.held.put(state);
    if (this.deps.log) logChain(this.deps.log, runId, before, chain);
    await this.carryOut(runId, state, netEffects(before, state, chain));
    return record;
  }

  /**
   * Effects of a journaled transition: steps, timers, then the deliveries. The task's mark
   * in the shared list goes beside them, in a queue of its own per task (its marks land in
   * order, `queue.idle()` waits for it): the run's next event does not wait for its fsyncs.
   */
  private async carryOut(runId: string, state: RunState, effects: Effects): Promise<void> {
    for (const id of effects.stop) this.steps?.stop(runId, id);
    for (const id of effects.start) this.steps?.start(runId, id, state);
    this.timers.sync(runId, state.timers);
    const task = effects.task ? taskOf(this.entry, state) : undefined;
    if (task) void this.queue.run(`\0task:${task.id}`, () => this.tasks.mark(task, effects.task!));
    await flushOutbox(this, runId);
    await settleFinished(this, runId);
  }

  /** Something the run's next record must follow on disk (a step's write, as the agent log's entry): waited for beside the staging of its replies. */
  beforeRecord(runId: string, durable: Promise<void>): void {
    this.first.set(runId, [...(this.first.get(runId) ?? []), durable]);
  }

  /** Delivers what the run has journaled and not yet delivered (run-outbox.ts). */
  flushOutbox(runId: string): Promise<void> {
    return flushOutbox(this, runId);
  }

  /** A run in memory: unfinished, or among the last few that finished. */
  get(runId: string): RunState | undefined {
    return this.held.get(runId);
  }

  /** Journals another attempt of a step interrupted by a crash (at-least-once, docs/DESIGN.md §4). */
  async restartStep(runId: string, id: string): Promise<RunState> {
    const state = this.get(runId)!;
    const attempt = (state.attempts[id] ?? state.steps[id]!.attempt) + 1;
    const record: RunRecord = { seq: this.nextSeq(runId), at: this.now(), kind: 'step-started', id, attempt };
    await this.append(runId, [record]);
    const next = applyRecord(state, record, this.registry);
    this.held.put(next);
    return next;
  }

  /** Journals the LLM CLI session a step's attempt works in (before the CLI is spawned). Inside the run's queue. */
  async noteSession(runId: string, id: string, attempt: number, session: StepSession): Promise<void> {
    const state = this.get(runId);
    if (!state || state.steps[id]?.attempt !== attempt) return;
    const record: RunRecord = { seq: this.nextSeq(runId), at: this.now(), kind: 'step-session', id, attempt, session };
    await this.append(runId, [record]);
    const next = applyRecord(this.get(runId)!, record);
    this.held.put(next);
    this.snapshots.markDue(runId);
    this.emit('run', next);
  }

  /** Writes the snapshot caches that are due (SnapshotCache.writeDue); `all` on stop. */
  writeSnapshots(all = false): Promise<void> {
    return this.snapshots.writeDue(all);
  }

  /**
   * Marks a run faulted: something it did (a step's result, a fired timer) could not be
   * journaled, so it will not move on by itself. Shown in `runs` and the UI with the
   * reason; a restart recovers it from its journal (the step re-runs, the timer re-arms).
   */
  fault(runId: string, reason: string): void {
    const state = this.get(runId);
    this.warn(`run ${runId}: ${reason}; the run is faulted until the engine restarts`);
    if (!state) return;
    const faulted = { ...state, faulted: reason };
    this.held.put(faulted);
    this.emit('run', faulted);
  }

  /** Stops a run whose journal is gone or damaged (run-quarantine.ts). */
  quarantine(runId: string, reason: string, state: RunState | undefined = this.get(runId)): Promise<void> {
    return quarantineRun(this, runId, reason, state);
  }

  warn(line: string): void {
    this.deps.log?.(`warning: ${line}`);
    this.emit('warning', line);
  }

  /** The seq of the run's next record (run-append.ts). */
  nextSeq(runId: string): number {
    return nextSeqOf(this, runId);
  }

  /** Journals consecutive records of a run, durable when this resolves (run-append.ts). */
  append(runId: string, records: RunRecord[]): Promise<string[]> {
    return appendRun(this, runId, records);
  }
}

/** Inline rounds at most per record: a machine that loops through instant steps is cut off, not spun forever. */
const MAX_INLINE_ROUNDS = 64;

