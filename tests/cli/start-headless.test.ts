import { promises as fs } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startResponder, stopProcess } from '../../bench/lib/processes.js';
import type { WorkspacePaths } from '../../src/workspace/paths.js';
import { HANDOFF_BODY, drop, tempWorkspace } from '../engine/helpers.js';

/** Drops a HANDOFF for `task` and waits for its PLAN in the conductor's inbox. */
async function planFor(paths: WorkspacePaths, task: string): Promise<string[]> {
  await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task, body: HANDOFF_BODY });
  let plans: string[] = [];
  for (let i = 0; i < 400 && plans.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    plans = (await fs.readdir(paths.inbox('conductor').new)).filter((n) => n.includes(task));
  }
  return plans;
}

describe('teamstate start --headless', () => {
  it('goes on working after whoever read its log went away (a closed pipe)', { timeout: 60_000 }, async () => {
    const paths = await tempWorkspace('instant');
    const { child } = await startResponder('engine', paths.root);
    try {
      // The reader of its stdout closes it, as `teamstate start --headless | head -1` does.
      child.stdout!.destroy();
      // The first run's log lines meet the closed pipe; the second run shows the engine lived through it.
      expect(await planFor(paths, 'before')).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 200));
      expect(await planFor(paths, 'after')).toHaveLength(1);
      expect(child.exitCode).toBeNull();
    } finally {
      await stopProcess(child);
    }
  });
});
