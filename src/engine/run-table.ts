import { UserError } from '../errors.js';
import { isFinished } from './run-state.js';
import type { RunState } from './run-state.js';

/** The mark of a run left on disk: its state is what its journal (and snapshot cache) say. */
const ON_DISK = 0;
type OnDisk = typeof ON_DISK;
const onDisk = (v: RunState | OnDisk | undefined): v is OnDisk => v === ON_DISK;

/**
 * The unfinished runs in memory. A run that waits on someone (no step in flight, nothing
 * left to deliver, in good standing: {@link mayHold}) may be left on disk (at recovery also
 * one interrupted mid-step with nothing to deliver, until its resume reads it): its state is
 * dropped from memory and only its entry stays (its seq, its timers' deadlines and its
 * cache's seq are kept beside it by the run core), read back from the store through
 * `read` (its snapshot cache plus the journal records after it, through the one fold) on
 * its next event ({@link get}), and kept so. Readers that only look ({@link peek},
 * {@link values}) read it without keeping it. A run read back is the state it was left
 * for: both are the fold of the same journal.
 *
 * The runs in memory are kept in the order they were last used ({@link inMemory}), so the
 * ones left on disk when too many wait (snapshot-cache.ts) are those idle the longest.
 */
export class RunTable {
  private readonly runs = new Map<string, RunState | OnDisk>();
  /** The runs in memory as objects, least recently used first. */
  private readonly used = new Set<string>();

  /**
   * `read`: a run's state from the store, synchronously (it throws when the store cannot
   * give it). `released`: the run's state left memory (left on disk, or deleted: finished),
   * for what others keep per run in memory.
   */
  constructor(
    private readonly read: (runId: string) => RunState,
    private readonly released: (runId: string) => void = () => undefined,
  ) {}

  get size(): number {
    return this.runs.size;
  }

  /** How many runs are in memory as objects (not left on disk). */
  get loaded(): number {
    return this.used.size;
  }

  has(runId: string): boolean {
    return this.runs.has(runId);
  }

  /** The run's state, read back and kept in memory from now on if it was left on disk (it has an event to take). */
  get(runId: string): RunState | undefined {
    const v = this.runs.get(runId);
    if (!onDisk(v)) return v;
    const state = this.read(runId);
    this.set(runId, state);
    return state;
  }

  /** The run's state for a reader, leaving a run on disk there. */
  peek(runId: string): RunState | undefined {
    const v = this.runs.get(runId);
    return onDisk(v) ? this.read(runId) : v;
  }

  /** Keeps the run's state in memory, as the most recently used. */
  set(runId: string, state: RunState): void {
    this.runs.set(runId, state);
    this.used.delete(runId);
    this.used.add(runId);
  }

  /** Leaves the run on disk: its state, as the store has it, is read back when next asked for. */
  leave(runId: string): void {
    this.runs.set(runId, ON_DISK);
    this.used.delete(runId);
    this.released(runId);
  }

  /** Whether the run is left on disk now. */
  isOnDisk(runId: string): boolean {
    return onDisk(this.runs.get(runId));
  }

  delete(runId: string): boolean {
    this.used.delete(runId);
    this.released(runId);
    return this.runs.delete(runId);
  }

  keys(): IterableIterator<string> {
    return this.runs.keys();
  }

  /** Every run's state, for readers (runs on disk are read and stay there; one the store cannot give just now is left out of this listing). */
  *values(): IterableIterator<RunState> {
    for (const [runId, v] of this.runs) {
      if (!onDisk(v)) yield v;
      else {
        const state = this.readForList(runId);
        if (state) yield state;
      }
    }
  }

  private readForList(runId: string): RunState | undefined {
    try {
      return this.read(runId);
    } catch (e) {
      // A passing fault of the disk (too many open files): the next listing has it again.
      if ((e as NodeJS.ErrnoException).code !== undefined && !(e instanceof UserError)) return undefined;
      throw e;
    }
  }

  /** The runs in memory as objects, least recently used first. */
  *inMemory(): IterableIterator<[string, RunState]> {
    for (const runId of this.used) yield [runId, this.runs.get(runId) as RunState];
  }

  /**
   * The runs that take messages: unfinished and not quarantined. A run on disk always is
   * (it is left there only while it is in good standing), so none is read to tell.
   */
  active(): string[] {
    const out: string[] = [];
    for (const [runId, v] of this.runs) if (onDisk(v) || (!isFinished(v) && !v.quarantined)) out.push(runId);
    return out;
  }
}

/**
 * Whether a run may be left on disk: it waits on someone (no step in flight, nothing
 * undelivered), is unfinished, and nothing about it lives only in this process (a fault)
 * or keeps it from taking messages (a quarantine).
 */
export function mayHold(state: RunState): boolean {
  return !isFinished(state) && state.undelivered.length === 0 && Object.keys(state.steps).length === 0 && state.faulted === undefined && state.quarantined === undefined;
}

/**
 * What the snapshot cache keeps beside a run's state (the store's `head`): enough to adopt
 * a waiting run at start without parsing its state, which is left on disk.
 */
export interface RunHead {
  machine: { id: string; version: number };
  timers: RunState['timers'];
  /** Whether the run may be left on disk ({@link mayHold}). */
  hold: boolean;
}

export function headOf(state: RunState): RunHead {
  return { machine: state.machine, timers: state.timers, hold: mayHold(state) };
}

/** A head read back, or undefined when it is not one (an older cache, another writer). */
export function asHead(value: unknown): RunHead | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const h = value as Partial<RunHead>;
  const m = h.machine;
  if (typeof h.hold !== 'boolean' || typeof h.timers !== 'object' || h.timers === null || typeof m !== 'object' || m === null) return undefined;
  if (typeof m.id !== 'string' || typeof m.version !== 'number') return undefined;
  return h as RunHead;
}
