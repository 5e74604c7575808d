import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import { createFolderStore } from '../../src/store/folder-store.js';
import { mapLimit } from '../../src/store/map-limit.js';
import { renderMessage } from '../../src/protocol/render.js';
import { fold } from '../../src/engine/fold.js';
import { headOf } from '../../src/engine/run-table.js';
import type { RunRecord, RunState } from '../../src/engine/run-state.js';
import type { WorkspacePaths } from '../../src/workspace/paths.js';
import { dropFor, ENGINEER } from './lifecycle.js';

const WAITING = 'idle-template';
const MID_STEP = 'mid-step-template';
/** One run in this many is left mid-step (its plan step started, not finished). */
export const MID_STEP_EVERY = 10;

/**
 * Drives one run through a real engine (HANDOFF in) until `ready` says it is where the
 * copies should be, then stops that engine.
 */
async function templateRun(paths: WorkspacePaths, id: string, ready: (s: RunState) => boolean): Promise<void> {
  const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
  try {
    await fs.writeFile(path.join(paths.inbox(ENGINEER).new, `analyst--${id}-0.md`), renderMessage(dropFor(id, 0)));
    const isReady = (): boolean => {
      const s = engine.run(id);
      return s !== undefined && ready(s);
    };
    for (let i = 0; i < 500 && !isReady(); i++) {
      await engine.scan();
      await new Promise((r) => setTimeout(r, 10));
    }
    if (!isReady()) throw new Error(`the template run ${id} did not get where the benchmark needs it`);
  } finally {
    await engine.stop();
  }
}

/**
 * Makes `count` persisted unfinished runs as real journals the engine recovers: nine in
 * ten wait for the conductor's decision on their plan, one in ten is mid-step (its plan
 * step was started and had not finished when the engine stopped). Each kind is driven once
 * through a real engine, then its journal is copied record by record under new run ids
 * through the store's own append (so every frame and checksum is the store's), with the
 * snapshot cache the engine would have left. Fast: no engine per copy, no fsync.
 */
export async function makeIdleRuns(paths: WorkspacePaths, count: number): Promise<void> {
  await templateRun(paths, WAITING, (s) => Object.keys(s.steps).length === 0 && s.undelivered.length === 0);
  // Mid-step: the plan step done by a person (`manual`) for this one run, so it is still
  // in progress when the engine stops; the copies resume with the workspace's instant plan.
  const config = await fs.readFile(paths.configFile, 'utf8');
  const manualPlan = config.replace(/"plan":\s*\{\s*"kind":\s*"instant"\s*\}/, '"plan": { "kind": "manual" }');
  if (manualPlan === config) throw new Error(`no instant plan step in ${paths.configFile}`);
  await fs.writeFile(paths.configFile, manualPlan);
  try {
    await templateRun(paths, MID_STEP, (s) => 'plan' in s.steps);
  } finally {
    await fs.writeFile(paths.configFile, config);
  }
  const store = createFolderStore<RunRecord, RunState>(paths.runsDir, { fsync: false });
  const templates = new Map<string, string>();
  for (const id of [WAITING, MID_STEP]) templates.set(id, JSON.stringify((await store.read(id)).records));
  await mapLimit(
    Array.from({ length: count }, (_, i) => i),
    64,
    async (i) => {
      const template = (i + 1) % MID_STEP_EVERY === 0 ? MID_STEP : WAITING;
      const id = `idle-${String(i + 1).padStart(5, '0')}`;
      const copy = JSON.parse(templates.get(template)!.split(template).join(id)) as RunRecord[];
      await store.append(id, copy);
      const state = fold(copy)!;
      await store.writeSnapshot(id, copy.at(-1)!.seq, state, headOf(state));
    },
  );
  await store.close();
  // The templates themselves stay, unfinished too: count + 2 runs in all.
}
