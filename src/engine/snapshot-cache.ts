import type { RunStoreOf } from './core-ports.js';
import type { FaultGate } from './faults.js';
import { isTransient } from './faults.js';
import type { KeyedQueue } from './keyed-queue.js';
import type { RunState } from './run-state.js';
import type { RunTable } from './run-table.js';
import { headOf, mayHold } from './run-table.js';

/** Records after a run's last snapshot cache before it is cached again (once it waits). */
export const SNAPSHOT_EVERY = 4;

/**
 * Waiting runs kept in memory at most; beyond it, those idle the longest are left on disk
 * (run-table.ts). Enough for every run of a busy engine to stay in memory between its
 * messages; a burst of thousands, or 10,000 resumed runs, waits on disk.
 */
export const KEEP_LOADED = 256;
/** Runs in memory past KEEP_LOADED before a change leaves some on disk at once (else at the end of a scan). */
const LEAVE_MARGIN = 64;

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
  /** Runs kept in memory at most before waiting ones are left on disk ({@link KEEP_LOADED}). */
  keepLoaded = KEEP_LOADED;
  private readonly due = new Set<string>();
  /** The seq each run's cache was last written at, by this process or found at recovery. */
  private readonly cachedAt = new Map<string, number>();

  constructor(private readonly deps: SnapshotCacheDeps) {}

  /** The run changed: cache it once it waits. Past {@link keepLoaded} by a margin, runs idle the longest are left on disk now (a burst is one long pass). */
  markDue(runId: string): void {
    this.due.add(runId);
    this.leaveIdle(LEAVE_MARGIN);
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
    const settled = (id: string) => runs.isOnDisk(id) || Object.keys(runs.peek(id)?.steps ?? {}).length === 0;
    const due = all ? [...this.due] : [...this.due].filter((id) => settled(id) && this.grown(id));
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
          } catch (e) {
            // A cache: a run without one is read from its journal. Kept due while the fault lasts.
            if (!isTransient(e)) return this.deps.warn(`run ${id}: could not cache its state: ${(e as Error).message}`);
            this.due.add(id);
            faults.fail('writing snapshot caches', e);
          }
        }),
      ),
    );
    if (!all) this.leaveIdle();
  }

  /** Whether SNAPSHOT_EVERY records followed the run's last cache. */
  private grown(runId: string): boolean {
    return (this.deps.seqOf(runId) ?? 0) - (this.cachedAt.get(runId) ?? 0) >= SNAPSHOT_EVERY;
  }

  /**
   * Leaves on disk the waiting runs beyond {@link keepLoaded}, those idle the longest first:
   * a run with nothing queued, whose journal since its cache is short (a longer one is
   * cached first, above). Nothing is written: its state is what the store already holds,
   * read back on its next event.
   */
  private leaveIdle(margin = 0): void {
    const { runs, queue, store } = this.deps;
    let over = runs.loaded - this.keepLoaded;
    if (over <= margin || !store.loadSync) return;
    const leave: string[] = [];
    for (const [id, state] of runs.inMemory()) {
      if (leave.length >= over) break;
      if (mayHold(state) && !queue.busy(id) && !(this.due.has(id) && this.grown(id))) leave.push(id);
    }
    for (const id of leave) {
      runs.leave(id);
      this.due.delete(id);
      over--;
    }
  }
}
