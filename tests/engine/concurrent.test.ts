import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../machines/backend-engineer/context.js';
import { RECENT_KEPT } from '../../src/engine/runs-in-memory.js';
import { readRunStates } from '../../src/engine/read.js';
import { Engine } from '../../src/engine/engine.js';
import { ScriptedTeam } from '../../src/sim/scripted-team.js';
import { tempWorkspace } from './helpers.js';

describe('many runs at once', () => {
  it('should take 200 concurrent runs through full lifecycles to done', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.project = 'project';
    });
    await fs.mkdir(path.join(paths.root, 'project'));
    const tasks = Array.from({ length: 200 }, (_, i) => `c-${i}`);
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    const team = new ScriptedTeam({ paths, tasks, conductor: 'scripted' });
    try {
      for (let i = 0; !(await team.tick()); i++) {
        if (i > 5000) throw new Error(`stuck: ${JSON.stringify(team.progress().filter((p) => p.stage < p.stages).slice(0, 3))}`);
        await engine.scan();
        await engine.core.queue.idle();
      }
      // Finished runs leave the engine's memory (a few recent ones stay); the store has them all.
      expect(engine.core.runs.size).toBe(0);
      expect(engine.core.held.recentlyFinished().length).toBeLessThanOrEqual(RECENT_KEPT);
      const runs = await readRunStates(paths);
      expect(runs).toHaveLength(200);
      for (const run of runs) {
        expect(run.snapshot.value).toBe('done');
        const c = run.snapshot.context as unknown as RunContext;
        expect([c.revision, c.fixCycles, c.breakerBugs]).toEqual([1, 2, 1]);
      }
      expect(await fs.readdir(paths.inbox('backend-engineer').new)).toEqual([]);
      expect(await fs.readdir(paths.inbox('backend-engineer').cur)).toHaveLength(200 * 6);
      expect((await fs.readdir(paths.inbox('sentinel').new)).length).toBe(200 * 3);
    } finally {
      await engine.stop();
    }
  }, 300_000);
});
