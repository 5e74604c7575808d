import { promises as fs, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { UserError } from '../../src/errors.js';
import { createFolderMailbox } from '../../src/mailbox/folder/index.js';
import { renderMessage } from '../../src/protocol/render.js';
import { HANDOFF_BODY, settle, tempWorkspace } from './helpers.js';

const ENGINEER = 'backend-engineer';

/** The file system watchers open in this process (fs.watch and chokidar's): each keeps the process alive. */
const watchers = () => process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length;

/** Waits until `cond` holds (a closed handle leaves the loop a moment after its close); false after a long while. */
async function eventually(cond: () => boolean): Promise<boolean> {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}

describe('a start whose first scan fails', () => {
  it('should close the watchers it started, release the lock, and say what failed and what to do', async () => {
    const paths = await tempWorkspace('instant');
    const inbox = paths.inbox(ENGINEER);
    // A message waiting in the inbox root (a careless writer's): listed before new/, and not taken by the failed start.
    const waiting = path.join(inbox.root, 'analyst--t1.md');
    await fs.writeFile(waiting, renderMessage({ from: 'analyst', to: [ENGINEER], type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY }));
    const before = watchers();
    const failed = await Engine.start({
      workspaceDir: paths.root,
      settleMs: 0,
      // Called once the lock is held, after the start checked the layout: new/ then becomes a file, so the first scan cannot list it.
      mailbox: (p, config) => {
        rmSync(inbox.new, { recursive: true });
        writeFileSync(inbox.new, 'not a folder\n');
        return createFolderMailbox({ paths: p, config, settleMs: 0 });
      },
    }).then(
      async (engine) => {
        await engine.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(UserError);
    expect((failed as Error).message).toMatch(/did not start: its first scan of the inbox failed \(ENOTDIR.*new/);
    expect((failed as Error).message).toMatch(/start again/);
    expect(await eventually(() => watchers() === before), `watchers open: ${watchers()}, before the start: ${before}`).toBe(true);

    await fs.access(waiting);

    // The lock was released: once new/ is a folder again, the next start takes the message that waited, once.
    await fs.rm(inbox.new);
    await fs.mkdir(inbox.new);
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      await settle(engine);
      expect(engine.run('t1')).toBeDefined();
      expect(await fs.readdir(inbox.cur)).toEqual(['analyst--t1.md']);
    } finally {
      await engine.stop();
    }
    expect(await eventually(() => watchers() === before)).toBe(true);
  });
});
