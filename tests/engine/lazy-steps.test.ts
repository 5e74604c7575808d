import { promises as fs } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { RunCore } from '../../src/engine/core.js';
import { Engine } from '../../src/engine/engine.js';
import { LazySteps, type StepCode } from '../../src/engine/lazy-steps.js';
import type { RunRecord, RunState } from '../../src/engine/run-state.js';
import { createManualHandler } from '../../src/handlers/manual.js';
import { createFolderMailbox } from '../../src/mailbox/folder/index.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { loadConfig } from '../../src/workspace/config.js';
import { removeTemps } from '../temp.js';
import { tempWorkspace } from './helpers.js';

afterAll(removeTemps);

describe('the steps, whose code loads after the start', () => {
  it('still refuse a start whose config names a built-in that does not exist, and free the lock', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      (c.steps as Record<string, unknown>).implement = { kind: 'builtin' };
    });
    await expect(Engine.start({ workspaceDir: paths.root, watch: false })).rejects.toThrow(/steps\.implement: there is no built-in implement/);
    await expect(fs.stat(paths.lockFile)).rejects.toThrow();
    const named = await tempWorkspace('default', (c) => {
      (c.steps as Record<string, unknown>).plan = { kind: 'builtin', name: 'nonsense' };
    });
    await expect(Engine.start({ workspaceDir: named.root, watch: false })).rejects.toThrow(/steps\.plan: no built-in named "nonsense"/);
  });

  it('load again after a load that failed for a passing fault, which an inline step passes on to be waited out', async () => {
    const paths = await tempWorkspace('instant');
    const config = await loadConfig(paths.root);
    const core = new RunCore({ paths, config, store: createMemoryStore<RunRecord, RunState>(), mailbox: createFolderMailbox({ paths, config, settleMs: 0 }) });
    let tries = 0;
    const importCode = async (): Promise<StepCode> => {
      tries += 1;
      if (tries === 1) throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
      const [{ StepRunner }, { createHandlers }] = await Promise.all([import('../../src/engine/step-runner.js'), import('../../src/handlers/index.js')]);
      return { StepRunner, createHandlers };
    };
    const now = () => 1_000;
    const steps = new LazySteps({ core, paths, config, projectDir: paths.root, manual: createManualHandler({ now, prompts: { workspaceDir: paths.root } }), now, importCode });
    // The message whose step this is stays in the inbox: the error is the fault's, not the step's result.
    await expect(steps.runInline('r1', 'read-log', {} as RunState)).rejects.toMatchObject({ code: 'EMFILE' });
    await expect(steps.load()).resolves.toBeDefined();
    expect(tries).toBe(2);
  });
});
