import type { RunCore } from './core.js';
import { QuarantinedError } from './core-ports.js';
import { deliverThroughGate, forgetMarkers } from './deliver-outbox.js';
import { isTransient } from './faults.js';
import { afterDelivery } from './fold.js';
import { isFinished } from './run-state.js';
import { persisted } from './snapshot-cache.js';

// After a run's record is journaled (RunCore.carryOut): its replies handed over, what went
// journaled, and the run marked finished once nothing it sent is left (docs/DESIGN.md §4).

/**
 * Delivers what the run has journaled and not yet delivered, then journals what was
 * delivered and, when the reason is new, why the rest was not. What is left is tried
 * again with backoff (DeliveryRetry) for as long as the engine runs.
 */
export async function flushOutbox(core: RunCore, runId: string): Promise<void> {
  const { faults, retry } = core;
  // A record held back that its next task did not take along goes first (see holdBack).
  if (core.heldBack.has(runId) && !(await appendHeldBack(core, runId))) return;
  const state = core.get(runId)!;
  if (state.undelivered.length === 0) return;
  const { keys, failed } = await deliverThroughGate(core.deps.mailbox, state.undelivered, faults, (w) => core.warn(w));
  const current = core.get(runId)!;
  const news = Object.entries(failed).filter(([k, why]) => current.held?.[k] !== why);
  if (keys.length > 0 && Object.keys(failed).length === 0 && holdBack(core, runId, keys)) return;
  if (keys.length > 0 || news.length > 0) {
    try {
      await core.append(runId, [{ seq: core.nextSeq(runId), at: core.now(), kind: 'delivered', keys, ...(news.length ? { failed: Object.fromEntries(news) } : {}) }]);
    } catch (e) {
      // Delivered, not yet journaled so (the disk refused it): tried again, and found delivered then.
      if (!isTransient(e)) throw e;
      faults.fail('recording deliveries', e);
      retry.schedule(runId);
      return;
    }
    faults.ok('recording deliveries');
    if (keys.length > 0) void forgetMarkers(core.deps.mailbox, state.undelivered.filter((o) => keys.includes(o.key)));
  }
  const after = afterDelivery(core.get(runId)!, keys, failed);
  core.held.put(after);
  if (after.undelivered.length > 0) retry.schedule(runId);
  else retry.done(runId);
}

/**
 * Holds the `delivered` record of `keys` back when another task of the run waits in its
 * queue (the run's next message, come while these replies were handed over): it is
 * journaled as the first record of that task's append (RunCore.append), so the next reply
 * does not wait for a round of fsyncs of its own. The journal is the same, record for
 * record and in the same order; until it is written the run's state is what its journal
 * says (the replies undelivered), as after a crash at this point, when a staged copy that is
 * gone means handed over (docs/DESIGN.md §4). A run that has finished is not held back
 * (it is marked finished only once nothing is undelivered), nor replies that went the long
 * way (their markers go once they are journaled delivered). Should the waiting task append
 * nothing, a task queued behind it writes the record alone (or, when yet another waits,
 * leaves it to that one). True when held back.
 */
function holdBack(core: RunCore, runId: string, keys: string[]): boolean {
  const state = core.get(runId)!;
  const ahead = core.queue.queued(runId) - (core.heldBackFlush.has(runId) ? 1 : 0);
  if (ahead <= 0 || isFinished(state) || core.heldBack.has(runId)) return false;
  // Replies that went the long way have markers to drop once journaled delivered: not held back.
  if (state.undelivered.some((o) => keys.includes(o.key) && o.recipients.some((r) => !o.staged?.includes(r)))) return false;
  core.heldBack.set(runId, { seq: core.nextSeq(runId), at: core.now(), kind: 'delivered', keys });
  core.retry.done(runId);
  if (!core.heldBackFlush.has(runId)) flushHeldBackLater(core, runId);
  return true;
}

/** Queues the writing of a record held back, behind whatever waits in the run's queue now. */
function flushHeldBackLater(core: RunCore, runId: string): void {
  core.heldBackFlush.add(runId);
  void core.queue
    .run(runId, async () => {
      core.heldBackFlush.delete(runId);
      const state = core.get(runId);
      // A run quarantined meanwhile journals nothing more.
      if (!state || state.quarantined) core.heldBack.delete(runId);
      if (!core.heldBack.has(runId)) return;
      // Another task came meanwhile: it takes the record along.
      if (core.queue.queued(runId) > 0) return flushHeldBackLater(core, runId);
      if (await appendHeldBack(core, runId)) await settleFinished(core, runId);
    })
    .catch((e: unknown) => {
      if (!(e instanceof QuarantinedError)) core.warn(`run ${runId}: could not journal its delivered replies: ${e instanceof Error ? e.message : String(e)}`);
    });
}

/** Journals a record held back on its own; false (the fault said, retried with backoff) when the disk refused it. */
async function appendHeldBack(core: RunCore, runId: string): Promise<boolean> {
  try {
    await core.append(runId, []);
    core.faults.ok('recording deliveries');
    return true;
  } catch (e) {
    if (!isTransient(e)) throw e;
    core.faults.fail('recording deliveries', e);
    core.retry.schedule(runId);
    return false;
  }
}

/**
 * A finished run is cached and marked finished once nothing it sent is left undelivered;
 * until then it stays unfinished in the store, so a restart picks its deliveries up.
 */
export async function settleFinished(core: RunCore, runId: string): Promise<void> {
  const { store } = core.deps;
  const latest = core.get(runId)!;
  if (isFinished(latest) && latest.undelivered.length === 0) {
    // Cached here, once: a later writeSnapshots would find its journal closed and read it whole.
    core.snapshots.notDue(runId);
    try {
      await store.writeSnapshot(runId, core.held.seqOf(runId)!, persisted(latest));
      await store.markFinished(runId);
      core.faults.ok('marking finished runs');
    } catch (e) {
      // Both are caches of the journal: without them the run is read whole at the next start.
      if (!isTransient(e)) throw e;
      core.faults.fail('marking finished runs', e);
    }
    core.held.retire(latest);
  } else {
    core.snapshots.markDue(runId);
  }
  core.emit('run', latest);
}

/** A retry of a run's deliveries (DeliveryRetry), in its queue; a finished run is marked so once all went. */
export function retryDeliveries(core: RunCore, runId: string): void {
  void core.queue
    .run(runId, async () => {
      if (!core.get(runId)) return;
      await flushOutbox(core, runId);
      await settleFinished(core, runId);
    })
    .catch((e) => {
      core.warn(`retrying the deliveries of ${runId}: ${(e as Error).message}`);
      core.retry.schedule(runId);
    });
}
