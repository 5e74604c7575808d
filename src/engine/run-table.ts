import { isFinished } from './run-state.js';
import type { RunState } from './run-state.js';

/**
 * A run held as text: its state's JSON in UTF-8 bytes, the very buffer read from its
 * snapshot cache (no second copy), about the size of that file. (A latin1 string of the
 * same bytes, on the JS heap, measured larger in resident memory after a start: each
 * copy passed through the young generation.)
 */
type Held = Buffer;

const held = (json: Buffer): Held => json;
const parse = (h: Held): RunState => JSON.parse(h.toString('utf8')) as RunState;
const isHeld = (v: RunState | Held | undefined): v is Held => Buffer.isBuffer(v);

/**
 * The unfinished runs in memory. A run that waits on someone (no step in flight, nothing
 * left to deliver, in good standing, its state cached in snapshot.json) may be held as the
 * JSON text of its state (about the size of its snapshot file) instead of as objects,
 * several times larger: 10,000 such runs stay small. It is parsed back, and kept so, on
 * its next event ({@link get}); readers that only look ({@link peek}, {@link values})
 * parse it without keeping it. A held run reads exactly as the state it was held for.
 */
export class RunTable {
  private readonly runs = new Map<string, RunState | Held>();

  get size(): number {
    return this.runs.size;
  }

  has(runId: string): boolean {
    return this.runs.has(runId);
  }

  /** The run's state, parsed and kept as objects from now on (it has an event to take). */
  get(runId: string): RunState | undefined {
    const v = this.runs.get(runId);
    if (!isHeld(v)) return v;
    const state = parse(v);
    this.runs.set(runId, state);
    return state;
  }

  /** The run's state for a reader, leaving a held run held. */
  peek(runId: string): RunState | undefined {
    const v = this.runs.get(runId);
    return isHeld(v) ? parse(v) : v;
  }

  set(runId: string, state: RunState): void {
    this.runs.set(runId, state);
  }

  /** Holds the run as `json`: the UTF-8 JSON text of its current state. */
  hold(runId: string, json: Buffer): void {
    this.runs.set(runId, held(json));
  }

  /** Whether the run is held as text now. */
  isHeld(runId: string): boolean {
    return isHeld(this.runs.get(runId));
  }

  delete(runId: string): boolean {
    return this.runs.delete(runId);
  }

  keys(): IterableIterator<string> {
    return this.runs.keys();
  }

  /** Every run's state, for readers (held runs stay held). */
  *values(): IterableIterator<RunState> {
    for (const v of this.runs.values()) yield isHeld(v) ? parse(v) : v;
  }

  /**
   * The runs that take messages: unfinished and not quarantined. A held run always is
   * (it is held only while it waits in good standing), so none is parsed to tell.
   */
  active(): string[] {
    const out: string[] = [];
    for (const [runId, v] of this.runs) if (isHeld(v) || (!isFinished(v) && !v.quarantined)) out.push(runId);
    return out;
  }
}

/**
 * Whether a run may be held as text: it waits on someone (no step in flight, nothing
 * undelivered), is unfinished, and nothing about it lives only in this process (a fault)
 * or keeps it from taking messages (a quarantine).
 */
export function mayHold(state: RunState): boolean {
  return !isFinished(state) && state.undelivered.length === 0 && Object.keys(state.steps).length === 0 && state.faulted === undefined && state.quarantined === undefined;
}

/**
 * What the snapshot cache keeps beside a run's state (the store's `head`): enough to adopt
 * a waiting run at start without parsing its state, which is held as the cache's text.
 */
export interface RunHead {
  machine: { id: string; version: number };
  timers: RunState['timers'];
  /** Whether the run may be held as text ({@link mayHold}). */
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
