import { EventEmitter } from 'node:events';
import { initialTransition } from 'xstate';
import type { MachineEntry } from '../../machines/index.js';
import { machines } from '../../machines/index.js';
import { UserError } from '../errors.js';
import type { StepSession } from '../handlers/types.js';
import { cachedState, QUARANTINE_DIR, writeQuarantine } from '../store/quarantine.js';
import { expandRecipients } from './addresses.js';
import { FaultGate, isTransient } from './faults.js';
import type { Effects } from './apply.js';
import { persist, stateLabel } from './apply.js';
import { netEffects, stageOutbox, taskOf, withStaged, withStagedItem } from './commit-parts.js';
import { deliverThroughGate, forgetMarkers } from './deliver-outbox.js';
import { DeliveryRetry } from './delivery-retry.js';
import { KeyedQueue } from './keyed-queue.js';
import { afterDelivery, applyRecord, fold } from './fold.js';
import type { EventRecord, EventSource, RunRecord, RunState } from './run-state.js';
import { isFinished, newRunState } from './run-state.js';
import { RunTable } from './run-table.js';
import { persisted, SnapshotCache } from './snapshot-cache.js';
import { readBack } from './read-back.js';
import { migrate, placeholder } from './recover.js';
import type { Stepped } from './step.js';
import { accepts, journaled, step } from './step.js';
import { TaskMarks } from './tasks.js';
import { TimerTable } from './timers.js';
import { eventLabel } from './labels.js';

import { isRunDamage, QuarantinedError } from './core-ports.js';
import type { EngineDeps, EngineEvents, StepStarter } from './core-ports.js';

export { isRunDamage, QuarantinedError } from './core-ports.js';
export type { EngineDeps, EngineEvents, RunStoreOf, StepStarter } from './core-ports.js';

/**
 * The durable core: applies one event to one run at a time (load → transition →
 * journal → effects), keeps every run's state in memory, and carries out effects only
 * after they are journaled (docs/DESIGN.md §4).
 */
export class RunCore extends EventEmitter<EngineEvents> {
  readonly entry: MachineEntry;
  /** The machines this engine knows (folds read tags from them). */
  readonly registry: Readonly<Record<string, MachineEntry>>;
  readonly now: () => number;
  /** Unfinished runs (a waiting one may be left on disk: run-table.ts). A finished run leaves it (the store has it): the engine does not grow with finished runs. */
  readonly runs = new RunTable((runId) => this.readBack(runId));
  /** The last few runs that finished, for readers (the UI, tests) and late messages; at most RECENT_KEPT. */
  private readonly recent = new Map<string, RunState>();
  private readonly seqs = new Map<string, number>();
  /** Runs being created (a HANDOFF in the queue): later messages of the same scan route to them. */
  readonly creating = new Set<string>();
  readonly queue = new KeyedQueue();
  readonly timers: TimerTable;
  /** Undelivered replies, tried again with backoff while the engine runs. */
  readonly retry = new DeliveryRetry((runId) => this.retryDeliveries(runId));
  steps?: StepStarter;
  /** The machine's faults being waited out (a full disk, a read-only folder): said once, retried with backoff. */
  readonly faults: FaultGate;
  /** The snapshot caches: which runs are due, and where each was last written. */
  readonly snapshots: SnapshotCache;
  /** The machine's first state, as a new run would begin (what refusesToStart asks). */
  private firstState: ReturnType<typeof initialTransition>[0] | undefined;
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
    this.snapshots = new SnapshotCache({ store: deps.store, queue: this.queue, runs: this.runs, faults: this.faults, get: (id) => this.get(id), seqOf: (id) => this.seqs.get(id), warn: (line) => this.warn(line) });
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
    const { state, record } = this.newRun(runId, task);
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
    const { state, record } = this.newRun(runId, task);
    this.runs.set(runId, state);
    try {
      return await this.commit(runId, source, event, record);
    } finally {
      // Nothing was journaled (the append failed): the run does not exist.
      if (!this.seqs.has(runId)) this.runs.delete(runId);
    }
  }

  /** A new run's first state and the record that journals it. */
  private newRun(runId: string, task: Task): { state: RunState; record: RunRecord } {
    const now = this.now();
    const input = this.input(runId, task);
    const [snapshot] = initialTransition(this.entry.machine, input);
    const state = newRunState(runId, { id: this.entry.id, version: this.entry.version }, persist(snapshot), now);
    return { state, record: { seq: 1, at: now, kind: 'created', machine: state.machine, input, state } };
  }

  /** The machine's input for a new run. */
  input(runId: string, task: Task) {
    return this.entry.input({ runId, task, limits: this.deps.config.limits });
  }

  /**
   * Why `event` cannot start a new run (a run its first state would not take it in would
   * wait for ever), or undefined when it can: a message from the engine's own member
   * never starts one, nor one the machine's first state has no place for.
   */
  refusesToStart(event: { type: string; from?: string }): string | undefined {
    const self = this.deps.config.engine.member;
    if (event.from === self) return `a ${event.type} from ${self}, this engine's own member, does not start a run: a teammate does not hand work to itself`;
    this.firstState ??= initialTransition(this.entry.machine, this.input('new', { id: 'new', subject: '', description: '' }))[0];
    const first = this.firstState;
    if (first.can(event as never)) return undefined;
    return `a ${event.type} from ${event.from ?? 'an unknown sender'} does not start a run: ${this.entry.explain(stateLabel(first.value), first.status, event)}`;
  }

  /**
   * Applies one event to a run: the pure step, then the steps it started that complete at
   * once (instant and built-in work, run here inside the same macro-step), then one
   * journal record holding all of it (durable when this resolves), then the effects.
   * Returns the record. Must be called inside the run's queue. A message whose key the
   * run has already applied is not applied again. `created`: the record of a run made
   * for this event and not journaled yet (see createWith), appended first.
   */
  async commit(runId: string, source: EventSource, event: { type: string; from?: string; [k: string]: unknown }, created?: RunRecord): Promise<EventRecord | undefined> {
    const before = this.get(runId);
    if (!before) throw new UserError(`no run "${runId}"; \`teamstate runs\` lists them`);
    if (before.quarantined) throw new QuarantinedError(runId, before.quarantined.reason);
    const leading = created ? [created] : [];
    if (!accepts(before, source)) {
      if (leading.length > 0) await this.append(runId, leading);
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
    const staged = await stageOutbox(this.deps.mailbox, chain.flatMap((c) => c.effects.outbox));
    const [head, ...rest] = journaled(chain.map((c) => c.applied)).map((a) => withStaged(a, staged));
    const record: EventRecord = { seq: this.nextSeq(runId) + leading.length, at: now, kind: 'event', ...head!, ...(rest.length ? { then: rest } : {}) };
    await this.append(runId, [...leading, record]);
    if (staged.size > 0) state = { ...state, undelivered: state.undelivered.map((o) => withStagedItem(o, staged)) };
    this.put(state);
    chain.forEach((c, i) => this.logTransition(runId, (chain[i - 1]?.state ?? before).snapshot.value, c));
    await this.carryOut(runId, state, netEffects(before, state, chain));
    return record;
  }

  /** Effects of a journaled transition: steps, timers, then deliveries and the task status side by side. */
  private async carryOut(runId: string, state: RunState, effects: Effects): Promise<void> {
    for (const id of effects.stop) this.steps?.stop(runId, id);
    for (const id of effects.start) this.steps?.start(runId, id, state);
    this.timers.sync(runId, state.timers);
    const task = effects.task ? this.tasks.mark(taskOf(this.entry, state), effects.task) : undefined;
    await Promise.all([this.flushOutbox(runId), task]);
    await this.settleFinished(runId);
  }

  /**
   * A finished run is cached and marked finished once nothing it sent is left undelivered;
   * until then it stays unfinished in the store, so a restart picks its deliveries up.
   */
  private async settleFinished(runId: string): Promise<void> {
    const latest = this.get(runId)!;
    if (isFinished(latest) && latest.undelivered.length === 0) {
      // Cached here, once: a later writeSnapshots would find its journal closed and read it whole.
      this.snapshots.notDue(runId);
      try {
        await this.deps.store.writeSnapshot(runId, this.seqs.get(runId)!, persisted(latest));
        await this.deps.store.markFinished(runId);
        this.faults.ok('marking finished runs');
      } catch (e) {
        // Both are caches of the journal: without them the run is read whole at the next start.
        if (!isTransient(e)) throw e;
        this.faults.fail('marking finished runs', e);
      }
      this.retire(latest);
    } else {
      this.snapshots.markDue(runId);
    }
    this.emit('run', latest);
  }

  /**
   * Delivers what the run has journaled and not yet delivered, then journals what was
   * delivered and, when the reason is new, why the rest was not. What is left is tried
   * again with backoff (DeliveryRetry) for as long as the engine runs.
   */
  async flushOutbox(runId: string): Promise<void> {
    const state = this.get(runId)!;
    if (state.undelivered.length === 0) return;
    const { keys, failed } = await deliverThroughGate(this.deps.mailbox, state.undelivered, this.faults, (w) => this.warn(w));
    const current = this.get(runId)!;
    const news = Object.entries(failed).filter(([k, why]) => current.held?.[k] !== why);
    if (keys.length > 0 || news.length > 0) {
      try {
        await this.append(runId, [{ seq: this.nextSeq(runId), at: this.now(), kind: 'delivered', keys, ...(news.length ? { failed: Object.fromEntries(news) } : {}) }]);
      } catch (e) {
        // Delivered, not yet journaled so (the disk refused it): tried again, and found delivered then.
        if (!isTransient(e)) throw e;
        this.faults.fail('recording deliveries', e);
        this.retry.schedule(runId);
        return;
      }
      this.faults.ok('recording deliveries');
      if (keys.length > 0) void forgetMarkers(this.deps.mailbox, state.undelivered.filter((o) => keys.includes(o.key)));
    }
    const after = afterDelivery(this.get(runId)!, keys, failed);
    this.put(after);
    if (after.undelivered.length > 0) this.retry.schedule(runId);
    else this.retry.done(runId);
  }

  /** A run in memory: unfinished, or among the last few that finished. */
  get(runId: string): RunState | undefined {
    return this.runs.get(runId) ?? this.recent.get(runId);
  }

  /**
   * Brings a finished run back from the store (a late message for it is journaled as out
   * of place there, not mistaken for a new run). Undefined when the store has no such run.
   */
  async revive(runId: string, migrate: (s: RunState) => RunState): Promise<RunState | undefined> {
    const known = this.get(runId);
    if (known) return known;
    let loaded;
    try {
      loaded = await this.deps.store.load(runId);
    } catch (e) {
      if (e instanceof UserError) return undefined;
      throw e;
    }
    const state = fold(loaded.tail, loaded.snapshot?.data, this.registry);
    if (!state || this.get(runId)) return this.get(runId);
    this.seqs.set(runId, loaded.tail.at(-1)?.seq ?? loaded.snapshot?.seq ?? 0);
    const migrated = migrate(state);
    if (isFinished(migrated)) this.remember(migrated);
    else this.runs.set(runId, migrated);
    return migrated;
  }

  /** Stores a run's new state where it lives: with the unfinished runs, or the recent finished ones. */
  private put(state: RunState): void {
    if (this.recent.has(state.runId)) this.recent.set(state.runId, state);
    else this.runs.set(state.runId, state);
  }

  /** A run that finished leaves the unfinished runs for the few recent ones. */
  private retire(state: RunState): void {
    this.runs.delete(state.runId);
    this.remember(state);
  }

  private remember(state: RunState): void {
    this.recent.delete(state.runId);
    this.recent.set(state.runId, state);
    for (const id of this.recent.keys()) {
      if (this.recent.size <= RECENT_KEPT) break;
      this.recent.delete(id);
      this.seqs.delete(id);
      this.snapshots.forget(id);
    }
  }

  /** The runs finished recently, oldest first. */
  recentlyFinished(): RunState[] {
    return [...this.recent.values()];
  }

  /** A retry of a run's deliveries, in its queue; a finished run is marked so once all went. */
  private retryDeliveries(runId: string): void {
    void this.queue
      .run(runId, async () => {
        if (!this.get(runId)) return;
        await this.flushOutbox(runId);
        await this.settleFinished(runId);
      })
      .catch((e) => {
        this.warn(`retrying the deliveries of ${runId}: ${(e as Error).message}`);
        this.retry.schedule(runId);
      });
  }

  /** Journals another attempt of a step interrupted by a crash (at-least-once, docs/DESIGN.md §4). */
  async restartStep(runId: string, id: string): Promise<RunState> {
    const state = this.get(runId)!;
    const attempt = (state.attempts[id] ?? state.steps[id]!.attempt) + 1;
    const record: RunRecord = { seq: this.nextSeq(runId), at: this.now(), kind: 'step-started', id, attempt };
    await this.append(runId, [record]);
    const next = applyRecord(state, record, this.registry);
    this.put(next);
    return next;
  }

  /** Journals the LLM CLI session a step's attempt works in (before the CLI is spawned). Inside the run's queue. */
  async noteSession(runId: string, id: string, attempt: number, session: StepSession): Promise<void> {
    const state = this.get(runId);
    if (!state || state.steps[id]?.attempt !== attempt) return;
    const record: RunRecord = { seq: this.nextSeq(runId), at: this.now(), kind: 'step-session', id, attempt, session };
    await this.append(runId, [record]);
    const next = applyRecord(this.get(runId)!, record);
    this.put(next);
    this.snapshots.markDue(runId);
    this.emit('run', next);
  }

  /**
   * A finished run read back that was never marked finished (recovery): marked now, and
   * kept among the recent ones, not the unfinished. The mark is a cache of the journal:
   * while the disk refuses it, the run is read again at the next start.
   */
  async adoptFinished(state: RunState, seq: number): Promise<void> {
    this.seqs.set(state.runId, seq);
    try {
      await this.deps.store.markFinished(state.runId);
    } catch (e) {
      if (!isTransient(e)) throw e;
      this.faults.fail('marking finished runs', e);
    }
    this.remember(state);
  }

  /**
   * Adopts a run read back from the store (recovery); `cachedSeq`: where its snapshot cache
   * is; `leave`: the run is left on disk, not kept (one with nothing to deliver, in good
   * standing: recovery decides).
   */
  adopt(state: RunState, seq: number, cachedSeq = seq, leave = false): void {
    this.seqs.set(state.runId, seq);
    this.snapshots.cachedAtSeq(state.runId, cachedSeq);
    if (leave) this.runs.leave(state.runId);
    else this.runs.set(state.runId, state);
  }

  /** Adopts a waiting run left on disk, its state unread (recovery: its cache is its latest state and says it may be left). */
  adoptOnDisk(runId: string, seq: number): void {
    this.seqs.set(runId, seq);
    this.snapshots.cachedAtSeq(runId, seq);
    this.runs.leave(runId);
  }

  /**
   * A run left on disk, read back (run-table.ts). A journal deleted or cut short meanwhile
   * is the run's damage: it is quarantined (shown with a bare state), as an append would.
   */
  private readBack(runId: string): RunState {
    try {
      return readBack(
        { store: this.deps.store, registry: this.registry, journalOf: (id) => this.deps.paths.run(id).journal, seqOf: (id) => this.seqs.get(id), migrate: (s) => migrate(this, s) },
        runId,
      );
    } catch (e) {
      if (!isRunDamage(e)) throw e;
      const reason = (e as Error).message;
      const at = this.now();
      // What can still be shown of it without waiting: its cache (a journal deleted alone), else a bare state.
      const cached = cachedState(this.deps.paths.runsDir, runId) as RunState | undefined;
      const shown = cached?.runId === runId && cached.snapshot ? cached : placeholder(this, runId);
      const state = { ...shown, quarantined: { reason, at } };
      this.runs.set(runId, state);
      void this.announceQuarantine(runId, reason, at, undefined);
      return state;
    }
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
    this.put(faulted);
    this.emit('run', faulted);
  }

  /**
   * Stops a run whose journal is gone or damaged (docs/DESIGN.md §4): no more events, steps
   * or timers; it stays in view with the reason, and a note in runs/.quarantine/ keeps that
   * across restarts and for the CLI. Its later messages are kept aside by the intake.
   */
  async quarantine(runId: string, reason: string, state: RunState | undefined = this.get(runId)): Promise<void> {
    if (this.get(runId)?.quarantined) return;
    const at = this.now();
    if (state) {
      for (const id of Object.keys(state.steps)) this.steps?.stop(runId, id);
      this.runs.set(runId, { ...state, quarantined: { reason, at } });
    }
    await this.announceQuarantine(runId, reason, at, state);
  }

  /** What a quarantine does beside the run's state: its timers and cache stop, a person is told, the note is written. */
  private async announceQuarantine(runId: string, reason: string, at: number, state: RunState | undefined): Promise<void> {
    const { runsDir } = this.deps.paths;
    this.timers.sync(runId, {});
    this.snapshots.notDue(runId);
    this.warn(
      `run ${runId} quarantined: ${reason}. It takes no more messages (they are kept in rejected/ with the reason); ` +
        `restore its journal from a backup and delete ${QUARANTINE_DIR}/${runId}.json in ${runsDir}, then restart, to take it up again`,
    );
    await writeQuarantine(runsDir, { runId, reason, at, ...(state ? { state } : {}) }, this.deps.config.fsync).catch((e: Error) =>
      this.warn(`could not write the quarantine note of run ${runId}: ${e.message}`),
    );
    const shown = this.get(runId);
    if (shown) this.emit('run', shown);
  }

  warn(line: string): void {
    this.deps.log?.(`warning: ${line}`);
    this.emit('warning', line);
  }

  /** Journals consecutive records of a run (durable when this resolves). */
  private async append(runId: string, records: RunRecord[]): Promise<void> {
    try {
      await this.deps.store.append(runId, records);
    } catch (e) {
      if (isRunDamage(e)) {
        await this.quarantine(runId, (e as Error).message);
        throw new QuarantinedError(runId, (e as Error).message);
      }
      // Marked as the journal's, so intake tells a store that stopped from a message's own bug.
      if (e instanceof Error && (e as NodeJS.ErrnoException).code === undefined) Object.assign(e, { code: 'EJOURNAL' });
      throw e;
    }
    this.seqs.set(runId, records.at(-1)!.seq);
  }

  /** The seq of the run's next record; taken only once the append succeeds. */
  private nextSeq(runId: string): number {
    return (this.seqs.get(runId) ?? 0) + 1;
  }

  private logTransition(runId: string, from: unknown, { applied, state }: Stepped): void {
    if (!this.deps.log) return;
    const { event, outOfPlace } = applied;
    const what = eventLabel(event as { type: string; from?: string });
    if (outOfPlace) this.deps.log(`${runId}: ${what} out of place: ${outOfPlace}`);
    else this.deps.log(`${runId}: ${stateLabel(from)} → ${stateLabel(state.snapshot.value)} (${what})`);
  }
}

/** A run's task, as its input names it. */
type Task = { id: string; subject: string; description: string };

/** Finished runs kept in memory after they finish (the store keeps them all). */
export const RECENT_KEPT = 64;

/** Inline rounds at most per record: a machine that loops through instant steps is cut off, not spun forever. */
const MAX_INLINE_ROUNDS = 64;

