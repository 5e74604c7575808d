import { existsSync } from 'node:fs';
import { cachedState, QUARANTINE_DIR, writeQuarantine } from '../store/quarantine.js';
import type { RunCore } from './core.js';
import { placeholder } from './recover.js';
import type { RunState } from './run-state.js';

// Quarantine (docs/DESIGN.md §4): a run whose journal is gone or damaged is stopped alone.

/**
 * Stops a run whose journal is gone or damaged: no more events, steps or timers; it stays
 * in view with the reason, and a note in runs/.quarantine/ keeps that across restarts and
 * for the CLI. Its later messages are kept aside by the intake.
 */
export async function quarantineRun(core: RunCore, runId: string, reason: string, state: RunState | undefined): Promise<void> {
  if (core.get(runId)?.quarantined) return;
  const at = core.now();
  if (state) {
    for (const id of Object.keys(state.steps)) core.steps?.stop(runId, id);
    core.runs.set(runId, { ...state, quarantined: { reason, at } });
  }
  await announceQuarantine(core, runId, reason, at, state);
}

/**
 * A run left on disk whose journal was deleted or cut short before it was read back:
 * quarantined with what can still be shown of it without waiting (its cache, when only the
 * journal was deleted, else a bare state). Returns that state.
 */
export function quarantineReadBack(core: RunCore, runId: string, reason: string): RunState {
  const at = core.now();
  const cached = cachedState(core.deps.paths.runsDir, runId) as RunState | undefined;
  const kept = cached?.runId === runId && cached.snapshot ? cached : undefined;
  // Nothing of it is left to read: said as such, with what the engine still knew of it, not as a bare new run.
  if (!kept) reason = nothingLeft(core, runId, reason);
  const shown = kept ?? placeholder(core, runId, reason);
  const state = { ...shown, quarantined: { reason, at } };
  core.runs.set(runId, state);
  void announceQuarantine(core, runId, reason, at, undefined);
  return state;
}

/** Why a run left on disk shows nothing of its state: its folder went (journal and cache), or its journal and then its cache. */
function nothingLeft(core: RunCore, runId: string, reason: string): string {
  const dir = core.deps.paths.run(runId).dir;
  const records = core.held.seqOf(runId) ?? 0;
  const knew = `the engine had journaled ${records} record${records === 1 ? '' : 's'} of it, and it was waiting on someone`;
  if (!existsSync(dir)) return `its folder ${dir} was deleted while it waited on disk, its journal and snapshot cache with it (${knew}); nothing of its state is left to show`;
  return `${reason}, and it has no snapshot cache either (${knew}); nothing of its state is left to show`;
}

/** What a quarantine does beside the run's state: its timers and cache stop, a person is told, the note is written. */
async function announceQuarantine(core: RunCore, runId: string, reason: string, at: number, state: RunState | undefined): Promise<void> {
  const { runsDir } = core.deps.paths;
  core.timers.sync(runId, {});
  core.snapshots.notDue(runId);
  core.warn(
    `run ${runId} quarantined: ${reason}. It takes no more messages (they are kept in rejected/ with the reason); ` +
      `restore its journal from a backup and delete ${QUARANTINE_DIR}/${runId}.json in ${runsDir}, then restart, to take it up again`,
  );
  await writeQuarantine(runsDir, { runId, reason, at, ...(state ? { state } : {}) }, core.deps.config.fsync).catch((e: Error) =>
    core.warn(`could not write the quarantine note of run ${runId}: ${e.message}`),
  );
  const shown = core.get(runId);
  if (shown) core.emit('run', shown);
}
