import { initialTransition } from 'xstate';
import { UserError } from '../errors.js';
import { persist } from './apply.js';
import { clearQuarantine, damagedRunFolders, readQuarantines } from '../store/quarantine.js';
import { lastKnown } from './read.js';
import type { RunCore, RunStoreOf } from './core.js';
import { isTransient } from './faults.js';
import { fold } from './fold.js';
import type { RunState } from './run-state.js';
import { isFinished, newRunState } from './run-state.js';
import { asHead, mayHold } from './run-table.js';

/** How many runs are read from the store at once on start. */
const PARALLEL_LOADS = 64;

/** How a run was read back: a crash interrupted it (steps in flight, replies undelivered), or not. Its timers are armed as it is read. */
type Recovered = 'interrupted' | 'waiting';

/**
 * Reads every unfinished run back: the snapshot cache plus the journal records after it,
 * through the one fold (the journal is the truth; the cache only saves reading it whole).
 * Their timers are armed, held until the start lets them fire (`timers.start()`).
 * What the store repaired on the way (a torn tail from a crash) is reported. A run
 * persisted by another machine version is migrated by a registered function, or refused
 * with a clear error. Returns the runs a crash interrupted, to be resumed.
 */
export async function loadRuns(store: RunStoreOf, engine: RunCore, warn: (line: string) => void): Promise<string[]> {
  // Armed as each run is read, fired only once the start has them all (TimerTable.start).
  engine.timers.hold();
  const { runsDir } = engine.deps.paths;
  const ids = await store.listRuns({ unfinishedOnly: true });
  const notes = await readQuarantines(runsDir);
  // Not the states themselves: a waiting run is left on disk (run-table.ts), and its objects are let go at once.
  const interrupted: string[] = [];
  for (let i = 0; i < ids.length; i += PARALLEL_LOADS) {
    const batch = await Promise.all(
      ids.slice(i, i + PARALLEL_LOADS).map((id) =>
        // A run quarantined before is read whole first: its snapshot may sit after the damage.
        (notes.has(id) ? store.read(id).then(() => loadRun(store, engine, id, warn)) : loadRun(store, engine, id, warn)).then(
          async (r) => {
            // The journal reads well again (a person restored it): the quarantine is over.
            if (r && notes.delete(id)) await clearQuarantine(runsDir, id);
            return r;
          },
          async (e: unknown) => {
            // One damaged run is set aside; the rest of the workspace starts.
            if (isTransient(e)) throw e;
            notes.delete(id);
            await engine.quarantine(id, (e as Error).message, await lastKnownState(engine, id));
            return undefined;
          },
        ),
      ),
    );
    batch.forEach((r, j) => r === 'interrupted' && interrupted.push(ids[i + j]!));
  }
  for (const { runId, reason } of await damagedRunFolders(runsDir, engine.runs)) {
    if (engine.runs.has(runId) || notes.has(runId)) continue;
    await engine.quarantine(runId, reason, await lastKnownState(engine, runId));
  }
  // Quarantined earlier and still not readable (or gone with its folder): stays quarantined.
  for (const note of notes.values()) {
    if (engine.runs.has(note.runId)) continue;
    const state = (note.state as RunState | undefined) ?? placeholder(engine, note.runId, note.reason);
    engine.held.adopt({ ...state, quarantined: { reason: note.reason, at: note.at } }, 0);
  }
  return interrupted;
}

/** What can still be shown of a damaged run: its journal's good records, else a bare state. */
async function lastKnownState(engine: RunCore, runId: string): Promise<RunState> {
  return (await lastKnown(engine.deps.paths, runId)) ?? placeholder(engine, runId);
}

/**
 * A bare state for a run nothing can be read of (shown quarantined): the context its machine
 * would begin it with, so every view can show it, its task described by `why` (what
 * happened to it) when that is known.
 */
export function placeholder(engine: Pick<RunCore, 'entry' | 'input'>, runId: string, why = ''): RunState {
  const description = why ? `Nothing of this run could be read: ${why}.` : '';
  const [first] = initialTransition(engine.entry.machine, engine.input(runId, { id: runId, subject: runId, description }));
  const snapshot = { value: 'quarantined', context: persist(first).context, status: 'active' as const, tags: [] };
  return newRunState(runId, { id: engine.entry.id, version: engine.entry.version }, snapshot, 0);
}

async function loadRun(store: RunStoreOf, engine: RunCore, runId: string, warn: (line: string) => void): Promise<Recovered | undefined> {
  const result = await store.load(runId);
  if (result.note) warn(`run ${runId}: ${result.note}`);
  const seq = result.tail.at(-1)?.seq ?? result.snapshot?.seq ?? 0;
  const cached = result.snapshot;
  // A waiting run whose cache is its latest state, by this machine's version: left on disk, its state never parsed.
  const head = result.tail.length === 0 && cached && store.loadSync ? asHead(cached.head) : undefined;
  if (head?.hold && head.machine.id === engine.entry.id && head.machine.version === engine.entry.version) {
    engine.held.adoptOnDisk(runId, seq);
    engine.timers.sync(runId, head.timers);
    return 'waiting';
  }
  let state = fold(result.tail, cached?.data, engine.registry);
  if (!state) return undefined;
  state = migrate(engine, state);
  // Finished with all it sent delivered, but not marked so (a crash or a power cut before the mark, a cache of the journal): marked now.
  if (isFinished(state) && state.undelivered.length === 0) {
    await engine.held.adoptFinished(state, seq);
    return undefined;
  }
  // Left on disk (its journal was just read whole or from its cache: it reads back the same): a run waiting on someone, and
  // one interrupted mid-step with nothing left to deliver, read back when its resume comes (resume.ts takes a few at a time).
  const leave = store.loadSync !== undefined && (mayHold(state) || (state.undelivered.length === 0 && !isFinished(state)));
  engine.held.adopt(state, seq, cached?.seq ?? 0, leave);
  engine.timers.sync(runId, state.timers);
  return state.undelivered.length > 0 || Object.keys(state.steps).length > 0 ? 'interrupted' : 'waiting';
}

/** Brings a persisted state to the running machine's version, or refuses to read it (docs/DESIGN.md §4). */
export function migrate(engine: Pick<RunCore, 'entry'>, state: RunState): RunState {
  const { entry } = engine;
  if (state.machine.id !== entry.id) {
    throw new UserError(`run ${state.runId} was made by machine "${state.machine.id}", but this workspace runs "${entry.id}"; use a workspace per machine`);
  }
  let snapshot: unknown = state.snapshot;
  for (let v = state.machine.version; v < entry.version; v++) {
    const step = entry.migrations[v];
    if (!step) {
      throw new UserError(
        `run ${state.runId} was saved by ${entry.id} v${state.machine.version} and no migration to v${entry.version} is registered; finish it with the teamstate version that started it, or add a migration in machines/index.ts`,
      );
    }
    snapshot = step(snapshot);
  }
  if (state.machine.version > entry.version) {
    throw new UserError(`run ${state.runId} was saved by a newer ${entry.id} (v${state.machine.version} > v${entry.version}); upgrade teamstate`);
  }
  return { ...state, snapshot: snapshot as RunState['snapshot'], machine: { id: entry.id, version: entry.version } };
}
