import type { MachineEntry } from '../../machines/index.js';
import { UserError } from '../errors.js';
import type { RunStoreOf } from './core-ports.js';
import { isRunDamage } from './core-ports.js';
import type { FaultGate } from './faults.js';
import { isTransient } from './faults.js';
import { fold } from './fold.js';
import { readBack } from './read-back.js';
import type { RunState } from './run-state.js';
import { isFinished } from './run-state.js';
import { RunTable } from './run-table.js';
import type { SnapshotCache } from './snapshot-cache.js';

/** Finished runs kept in memory after they finish (the store keeps them all). */
export const RECENT_KEPT = 64;

/** What the runs in memory need of the run core. */
export interface RunsInMemoryDeps {
  store: RunStoreOf;
  registry: Readonly<Record<string, MachineEntry>>;
  faults: FaultGate;
  /** Where a run's journal is (named when a read-back finds it cut short). */
  journalOf(runId: string): string;
  /** Brings a state read back to the running machine's version (recovery's own migration). */
  migrate(state: RunState): RunState;
  /** A run whose journal was found deleted or cut short as it was read back: quarantined, and the state it is shown with. */
  damaged(runId: string, reason: string): RunState;
  /** The snapshot caches: where a run adopted has its cache, and a run that left memory is forgotten there. */
  snapshots(): Pick<SnapshotCache, 'cachedAtSeq' | 'forget'>;
  /** A run's state left memory (left on disk, or finished): what others keep per run in memory goes (the steps' working folders). */
  released?(runId: string): void;
}

/**
 * The runs this engine holds: the unfinished ones (a waiting one may be left on disk:
 * run-table.ts), the last few that finished (for readers and late messages), and the seq
 * of each one's last journaled record. A finished run leaves the unfinished ones (the store
 * has it), so the engine does not grow with finished runs.
 */
export class RunsInMemory {
  /** Unfinished runs (a waiting one may be left on disk). */
  readonly table = new RunTable(
    (runId) => this.readBack(runId),
    (runId) => this.deps.released?.(runId),
  );
  /** The last few runs that finished, oldest first; at most RECENT_KEPT. */
  private readonly recent = new Map<string, RunState>();
  private readonly seqs = new Map<string, number>();

  constructor(private readonly deps: RunsInMemoryDeps) {}

  /** A run in memory: unfinished, or among the last few that finished. */
  get(runId: string): RunState | undefined {
    return this.table.get(runId) ?? this.recent.get(runId);
  }

  /** Whether the run is held (in memory, left on disk, or recently finished), asked without reading it back. */
  has(runId: string): boolean {
    return this.table.has(runId) || this.recent.has(runId);
  }

  /** Stores a run's new state where it lives: with the unfinished runs, or the recent finished ones. */
  put(state: RunState): void {
    if (this.recent.has(state.runId)) this.recent.set(state.runId, state);
    else this.table.set(state.runId, state);
  }

  /** A run that finished leaves the unfinished runs for the few recent ones. */
  retire(state: RunState): void {
    this.table.delete(state.runId);
    this.remember(state);
  }

  /** The runs finished recently, oldest first. */
  recentlyFinished(): RunState[] {
    return [...this.recent.values()];
  }

  /** The seq of the run's last journaled record; undefined before its first. */
  seqOf(runId: string): number | undefined {
    return this.seqs.get(runId);
  }

  /** The seq of the run's next record; taken only once the append succeeds ({@link journaled}). */
  nextSeq(runId: string): number {
    return (this.seqs.get(runId) ?? 0) + 1;
  }

  /** The run's journal now ends at `seq`. */
  journaled(runId: string, seq: number): void {
    this.seqs.set(runId, seq);
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
    const state = fold(loaded.tail, loaded.snapshot?.data, this.deps.registry);
    if (!state || this.get(runId)) return this.get(runId);
    this.seqs.set(runId, loaded.tail.at(-1)?.seq ?? loaded.snapshot?.seq ?? 0);
    const migrated = migrate(state);
    if (isFinished(migrated)) this.remember(migrated);
    else this.table.set(runId, migrated);
    return migrated;
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
      this.deps.faults.fail('marking finished runs', e);
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
    this.deps.snapshots().cachedAtSeq(state.runId, cachedSeq);
    if (leave) this.table.leave(state.runId);
    else this.table.set(state.runId, state);
  }

  /** Adopts a waiting run left on disk, its state unread (recovery: its cache is its latest state and says it may be left). */
  adoptOnDisk(runId: string, seq: number): void {
    this.seqs.set(runId, seq);
    this.deps.snapshots().cachedAtSeq(runId, seq);
    this.table.leave(runId);
  }

  private remember(state: RunState): void {
    this.recent.delete(state.runId);
    this.recent.set(state.runId, state);
    for (const id of this.recent.keys()) {
      if (this.recent.size <= RECENT_KEPT) break;
      this.recent.delete(id);
      this.seqs.delete(id);
      this.deps.snapshots().forget(id);
    }
  }

  /**
   * A run left on disk, read back (run-table.ts). A journal deleted or cut short meanwhile
   * is the run's damage: it is quarantined (shown with a bare state), as an append would.
   */
  private readBack(runId: string): RunState {
    try {
      const d = this.deps;
      return readBack({ store: d.store, registry: d.registry, journalOf: (id) => d.journalOf(id), seqOf: (id) => this.seqs.get(id), migrate: (s) => d.migrate(s) }, runId);
    } catch (e) {
      if (!isRunDamage(e)) throw e;
      return this.deps.damaged(runId, (e as Error).message);
    }
  }
}
