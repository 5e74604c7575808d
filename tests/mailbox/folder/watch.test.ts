import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFolderMailbox } from '../../../src/mailbox/folder/index.js';
import { loadConfig } from '../../../src/workspace/config.js';
import { initWorkspace } from '../../../src/workspace/init.js';
import { WorkspacePaths } from '../../../src/workspace/paths.js';
import { tempDir } from '../../workspace/helpers.js';

const ME = 'backend-engineer';
const message = (n: number) => `[PRIORITY: HIGH]\n[TYPE: BUG]\n[TO: ${ME}]\n[FROM: breaker]\n\n## BUG-${n}: signup accepts a NUL byte\n- Expected: 422\n`;

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

describe('the inbox watcher', () => {
  it('wakes the engine for each arrival, not for the mailbox’s own moves of what it processed', async () => {
    const dir = await tempDir();
    await initWorkspace(dir, { preset: 'instant', fsync: false });
    const paths = new WorkspacePaths(dir);
    const inbox = paths.inbox(ME);
    // settleMs 0: a text message is taken at once (no wait for a writer still at work).
    const mailbox = createFolderMailbox({ paths, config: await loadConfig(dir), settleMs: 0 });
    let wakes = 0;
    const watch = mailbox.watch(() => (wakes += 1));
    try {
      // Delivered as teammates do: staged in tmp/, renamed into new/.
      const send = async (n: number) => {
        await fs.writeFile(path.join(inbox.tmp, `breaker--${n}.md`), message(n));
        await fs.rename(path.join(inbox.tmp, `breaker--${n}.md`), path.join(inbox.new, `breaker--${n}.md`));
      };
      await send(1);
      await until('the first wake-up', () => wakes === 1);
      const [taken] = await mailbox.claim();
      await mailbox.ack(taken!.ref);
      expect(await fs.readdir(inbox.cur)).toEqual(['breaker--1.md']);
      // Its move out of new/ is an event the watcher sees; the next arrival's wake-up comes after it.
      await new Promise((r) => setTimeout(r, 100));
      await send(2);
      await until('the second wake-up', () => wakes >= 2);
      await new Promise((r) => setTimeout(r, 100));
      expect(wakes).toBe(2);
    } finally {
      await watch.close();
    }
  });
});
