import type { RunStoreOf } from './core-ports.js';
import type { FaultGate } from './faults.js';
import { isTransient } from './faults.js';
import type { KeyedQueue } from './keyed-queue.js';
import type { RunState } from './run-state.js';
import type { RunTable } from './run-table.js';
import { headOf, mayHold } from './run-table.js';

/** Records after a run's last snapshot cache before it is cached again (once it waits). */
export const SNAPSHOT_EVERY = 4;

/** A run's state as the snapshot cache keeps it: what the journal says, without what only this process knows. */
export function persisted(state: RunState): RunState {
  if (state.faulted === undefined) return state;
  const { faulted: _faulted, ...rest } = state;
  return rest;
}

/** What the cache needs of the run core. */
export interface SnapshotCacheDeps {
  store: RunStoreOf;
  queue: KeyedQueue;
  runs: RunTable;
  faults: FaultGate;
  /** A run in memory (unfinished or recently finished). */
  get(runId: string): RunState | undefined;
  /** The seq of the run's last journaled record. */
  seqOf(runId: string): number | undefined;
  warn(line: string): void;
}

/**
 * The runs' snapshot caches (docs/DESIGN.md §4): which runs changed since they were last
 * cached, and at which record each was. A cache only spares a resume reading the whole
 * journal, so it is written when a run waits on someone, not after every step, and a
 * fault of the disk only delays it.
 */
export class SnapshotCache {
  private readonly due = new Set<string>();
  /** The seq each run's cache was last written at, by this process or found at recovery. */
  private readonly cachedAt = new Map<string, number>();

  constructor(private readonly deps: SnapshotCacheDeps) {}

  /** The run changed: cache it once it waits. */
  markDue(runId: string): void {
    this.due.add(runId);
  }

  /** The run needs no cache now (finished and cached already, quarantined). */
  notDue(runId: string): void {
    this.due.delete(runId);
  }

  /** Where a run read back (recovery) has its cache. */
  cachedAtSeq(runId: string, seq: number): void {
    this.cachedAt.set(runId, seq);
  }

  /** The run left memory. */
  forget(runId: string): void {
    this.due.delete(runId);
    this.cachedAt.delete(runId);
  }

  /**
   * Writes the cache of runs that changed and now wait on someone else (no step running).
   * A run with steps in flight is skipped: its next commit comes soon and marks it due
   * again, so a busy run is cached once it settles (the cache serves resume, where runs
   * are waiting). A run is cached again only once SNAPSHOT_EVERY records followed its last
   * cache (a resume folds the few after it); `all` (on stop) writes every changed run.
   */
  async writeDue(all = false): Promise<void> {
    const { store, queue, runs, faults } = this.deps;
    if (!all && !faults.due('writing snapshot caches')) return;
    const settled = (id: string) => runs.isHeld(id) || Object.keys(runs.peek(id)?.steps ?? {}).length === 0;
    const grown = (id: string) => (this.deps.seqOf(id) ?? 0) - (this.cachedAt.get(id) ?? 0) >= SNAPSHOT_EVERY;
    const due = all ? [...this.due] : [...this.due].filter((id) => settled(id) && grown(id));
    for (const id of due) this.due.delete(id);
    await Promise.all(
      due.map((id) =>
        queue.run(id, async () => {
          const state = this.deps.get(id);
          if (!state || state.quarantined) return;
          try {
            const seq = this.deps.seqOf(id)!;
            await store.writeSnapshot(id, seq, persisted(state), headOf(state));
            this.cachedAt.set(id, seq);
            faults.ok('writing snapshot caches');
            // Cached and waiting: held as text until its next event.
            if (runs.peek(id) === state && mayHold(state)) runs.hold(id, Buffer.from(JSON.stringify(state)));
          } catch (e) {
            // A cache: a run without one is read from its journal. Kept due while the fault lasts.
            if (!isTransient(e)) return this.deps.warn(`run ${id}: could not cache its state: ${(e as Error).message}`);
            this.due.add(id);
            faults.fail('writing snapshot caches', e);
          }
        }),
      ),
    );
  }
}
