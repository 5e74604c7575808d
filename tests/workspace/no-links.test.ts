import { promises as fs } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { assertNoLinksIn } from '../../src/workspace/no-links.js';
import { writeTask } from '../../src/workspace/tasks.js';
import { tempWorkspace } from '../engine/helpers.js';
import { tempDir } from './helpers.js';

describe('symbolic links in the workspace', () => {
  it.each(['runs', 'tasks', 'control', 'inboxes/backend-engineer/cur', 'inboxes/conductor/tmp'])('should refuse to start when %s is a link, naming it, and write nothing through it', async (rel) => {
    const paths = await tempWorkspace('instant');
    const outside = await tempDir('teamstate-outside-');
    const dir = `${paths.root}/${rel}`;
    await fs.rm(dir, { recursive: true, force: true });
    await fs.symlink(outside, dir);
    await expect(Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 })).rejects.toThrow(`${rel} is a symbolic link (to ${outside}); teamstate writes nothing through a link`);
    expect(await fs.readdir(outside)).toEqual([]);
  });

  it('should not write a task through a linked tasks/ folder', async () => {
    const paths = await tempWorkspace('instant');
    const outside = await tempDir('teamstate-outside-');
    await fs.rm(paths.tasksDir, { recursive: true, force: true });
    await fs.symlink(outside, paths.tasksDir);
    await expect(writeTask(paths, { id: 't1', subject: 's', description: '', status: 'pending', blocks: [], blockedBy: [] })).rejects.toThrow(/tasks is a symbolic link/);
    expect(await fs.readdir(outside)).toEqual([]);
  });
});

describe('assertNoLinksIn', () => {
  it('should name the link nearest the root among several folders, and let folders that do not exist yet pass', async () => {
    const root = await tempDir('teamstate-links-');
    const outside = await tempDir('teamstate-outside-');
    await fs.mkdir(`${root}/inboxes/conductor/new`, { recursive: true });
    await assertNoLinksIn(root, [`${root}/inboxes/conductor/new`, `${root}/inboxes/conductor/tmp`, `${root}/inboxes/nobody/new`]);
    await fs.symlink(outside, `${root}/inboxes/conductor/tmp`);
    await expect(assertNoLinksIn(root, [`${root}/inboxes/conductor/new`, `${root}/inboxes/conductor/tmp`])).rejects.toThrow(`inboxes/conductor/tmp is a symbolic link (to ${outside})`);
    await fs.rm(`${root}/inboxes/conductor/tmp`);
    await fs.rename(`${root}/inboxes/conductor`, `${root}/conductor-real`);
    await fs.symlink(`${root}/conductor-real`, `${root}/inboxes/conductor`);
    await expect(assertNoLinksIn(root, [`${root}/inboxes/conductor/new`, `${root}/inboxes/conductor/tmp`])).rejects.toThrow(/^inboxes\/conductor is a symbolic link/);
  });
});
