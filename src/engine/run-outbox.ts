import type { RunCore } from './core.js';
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
  const state = core.get(runId)!;
  if (state.undelivered.length === 0) return;
  const { keys, failed } = await deliverThroughGate(core.deps.mailbox, state.undelivered, faults, (w) => core.warn(w));
  const current = core.get(runId)!;
  const news = Object.entries(failed).filter(([k, why]) => current.held?.[k] !== why);
  if (keys.length > 0 || news.length > 0) {
    try {
      await core.append(runId, [{ seq: core.held.nextSeq(runId), at: core.now(), kind: 'delivered', keys, ...(news.length ? { failed: Object.fromEntries(news) } : {}) }]);
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
