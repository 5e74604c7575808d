import { JournalGoneError } from '../store/errors.js';
import type { RunStoreOf } from './core-ports.js';
import type { Registry } from './fold.js';
import { fold } from './fold.js';
import type { RunState } from './run-state.js';

/** What reading a run left on disk back needs: the store, the machines, and what the engine knows of the run. */
export interface ReadBackDeps {
  store: RunStoreOf;
  registry: Registry;
  /** Where the run's journal is (named in errors). */
  journalOf(runId: string): string;
  /** The seq of the run's last journaled record, as the engine knows it. */
  seqOf(runId: string): number | undefined;
  /** Brings a state read back to the running machine's version (recovery's own migration). */
  migrate(state: RunState): RunState;
}

/** The store cannot give the run back now (an append in flight, a journal behind its WAL copy): a passing condition, tried again. */
function notNow(runId: string): Error {
  return Object.assign(new Error(`run ${runId}: its state cannot be read back from the store just now; it is tried again`), { code: 'EAGAIN' });
}

/**
 * A run's state read back from the store, synchronously: its snapshot cache plus the
 * journal records after it, through the one fold, as recovery reads it. The journal is
 * checked to end where the engine last wrote: a journal cut short or deleted under the
 * engine is the run's damage (JournalGoneError, and the run is quarantined).
 */
export function readBack(deps: ReadBackDeps, runId: string): RunState {
  const loaded = deps.store.loadSync?.(runId);
  if (!loaded) throw notNow(runId);
  const seq = loaded.tail.at(-1)?.seq ?? loaded.snapshot?.seq ?? 0;
  const expected = deps.seqOf(runId) ?? 0;
  if (seq !== expected) throw new JournalGoneError(deps.journalOf(runId), `ends at record ${seq}, where the engine wrote ${expected},`);
  const state = fold(loaded.tail, loaded.snapshot?.data, deps.registry);
  if (!state) throw new JournalGoneError(deps.journalOf(runId), 'holds no records');
  return deps.migrate(state);
}
