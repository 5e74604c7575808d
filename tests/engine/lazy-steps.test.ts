import { promises as fs } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
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
});
