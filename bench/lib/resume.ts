import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import { createFolderStore } from '../../src/store/folder-store.js';
import { mapLimit } from '../../src/store/map-limit.js';
import { renderMessage } from '../../src/protocol/render.js';
import { fold } from '../../src/engine/fold.js';
import type { RunRecord, RunState } from '../../src/engine/run-state.js';
import type { WorkspacePaths } from '../../src/workspace/paths.js';
import { dropFor, ENGINEER } from './lifecycle.js';

const TEMPLATE = 'idle-template';

/**
 * Makes `count` persisted unfinished runs, each waiting for the conductor's decision on
 * its plan, as real journals the engine recovers: one run is driven through a real
 * engine (HANDOFF → PLAN), then its journal is copied record by record under new run ids
 * through the store's own append (so every frame and checksum is the store's), with the
 * snapshot cache the engine would have left. Fast: no engine per copy, no fsync.
 */
export async function makeIdleRuns(paths: WorkspacePaths, count: number): Promise<void> {
  const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
  try {
    const inbox = paths.inbox(ENGINEER);
    await fs.writeFile(path.join(inbox.new, `analyst--${TEMPLATE}-0.md`), renderMessage(dropFor(TEMPLATE, 0)));
    // Instant steps finish on their own; scan until the run waits on the conductor.
    const waiting = (): boolean => {
      const s = engine.run(TEMPLATE);
      return s !== undefined && Object.keys(s.steps).length === 0 && s.undelivered.length === 0;
    };
    for (let i = 0; i < 500 && !waiting(); i++) {
      await engine.scan();
      await new Promise((r) => setTimeout(r, 10));
    }
    const state = engine.run(TEMPLATE);
    if (!state || Object.keys(state.steps).length > 0) throw new Error('the template run did not reach a waiting state');
  } finally {
    await engine.stop();
  }
  const store = createFolderStore<RunRecord, RunState>(paths.runsDir, { fsync: false });
  const { records } = await store.read(TEMPLATE);
  const text = JSON.stringify(records);
  await mapLimit(
    Array.from({ length: count }, (_, i) => `idle-${String(i + 1).padStart(5, '0')}`),
    64,
    async (id) => {
      const copy = JSON.parse(text.split(TEMPLATE).join(id)) as RunRecord[];
      await store.append(id, copy);
      await store.writeSnapshot(id, copy.at(-1)!.seq, fold(copy)!);
    },
  );
  await store.close();
  // The template itself stays, unfinished too: count + 1 runs in all.
}
