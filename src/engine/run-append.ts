import type { RunCore } from './core.js';
import { isRunDamage, QuarantinedError } from './core-ports.js';
import { afterDelivery } from './fold.js';
import type { RunRecord } from './run-state.js';

// A run's appends to its journal (RunCore.append), each led by the run's `delivered`
// record held back for it, if any (run-outbox.ts, holdBack).

/** The seq of the run's next record: after its last journaled one, and after a `delivered` record held back. */
export function nextSeqOf(core: RunCore, runId: string): number {
  return core.held.nextSeq(runId) + (core.heldBack.has(runId) ? 1 : 0);
}

/**
 * Journals consecutive records of a run (durable when this resolves), led by its
 * `delivered` record held back, if any; a damaged journal quarantines the run. Returns the
 * keys that record said delivered (applied to the run in memory once it is journaled: the
 * caller applies them to a state it made before, too).
 */
export async function appendRun(core: RunCore, runId: string, records: RunRecord[]): Promise<string[]> {
  const back = core.heldBack.get(runId);
  const all = back ? [back, ...records] : records;
  if (all.length === 0) return [];
  try {
    await core.deps.store.append(runId, all);
  } catch (e) {
    if (isRunDamage(e)) {
      await core.quarantine(runId, (e as Error).message);
      throw new QuarantinedError(runId, (e as Error).message);
    }
    // Marked as the journal's, so intake tells a store that stopped from a message's own bug.
    if (e instanceof Error && (e as NodeJS.ErrnoException).code === undefined) Object.assign(e, { code: 'EJOURNAL' });
    throw e;
  }
  core.held.journaled(runId, all.at(-1)!.seq);
  if (!back) return [];
  core.heldBack.delete(runId);
  const state = core.get(runId);
  if (state) core.held.put(afterDelivery(state, back.keys));
  return back.keys;
}
