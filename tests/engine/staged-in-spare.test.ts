import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { readJournal } from '../../src/engine/read.js';
import type { OutboxItem } from '../../src/engine/run-state.js';
import { createFolderMailbox } from '../../src/mailbox/folder/index.js';
import { SPARES_KEPT, Staging } from '../../src/mailbox/folder/spares.js';
import type { Mailbox } from '../../src/mailbox/port.js';
import { renderMessage } from '../../src/protocol/render.js';
import { HANDOFF_BODY, delivered, drop, plainProjectWorkspace, until } from './helpers.js';

const ME = 'backend-engineer';
const handoff = (task: string) => ({ from: 'analyst', type: 'HANDOFF' as const, priority: 'MEDIUM' as const, task, body: HANDOFF_BODY, action: 'Use this map for implementation.' });
const SPARE = /^\.reply-[0-9a-f]{16}\.tmp$/;

/** The mailbox, with every delivery of `task`'s PLAN failing (as a crash before its hand-over would leave it). */
const failingPlanOf =
  (task: string) =>
  (mb: Mailbox): Mailbox => ({
    ...mb,
    deliver: async (to, m, key, opts) => {
      if (m.task === task && m.type === 'PLAN') throw new Error('not handed over in this test');
      return mb.deliver(to, m, key, opts);
    },
  });

describe('a reply staged in a spare file', () => {
  it("should be journaled with the spare's name, and after a crash that left the spare empty be handed over whole, once", async () => {
    const paths = await plainProjectWorkspace();
    const tmp = paths.inbox('conductor').tmp;
    const plansFor = async (task: string) => (await delivered(paths, 'conductor')).filter((t) => t.includes('[TYPE: PLAN]') && t.includes(`[TASK: ${task}]`));
    try {
      const staging = new Staging();
      const first = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, mailbox: (p, config) => failingPlanOf('t2')(createFolderMailbox({ paths: p, config, settleMs: 0, staging })) });
      let staged: OutboxItem | undefined;
      try {
        // The first reply to a folder is staged under its own name; spares are made there once it is handed over.
        await drop(paths, ME, handoff('t1'));
        await until(first, async () => (await plansFor('t1')).length === 1 && staging.spares.readyIn(tmp) === SPARES_KEPT, "t1's PLAN and the spares after it");
        await drop(paths, ME, handoff('t2'));
        await until(first, () => (staged = first.run('t2')?.undelivered.find((o) => o.message.type === 'PLAN')) !== undefined, "t2's PLAN journaled");
      } finally {
        await first.stop();
      }
      const as = staged!.stagedAs?.conductor;
      expect(as).toMatch(SPARE);
      expect(staged!.staged).toEqual(['conductor']);
      // The journal names the spare, and the copy is in it, not handed over.
      const { records } = await readJournal(paths, 't2');
      expect(JSON.stringify(records)).toContain(`"stagedAs":{"conductor":"${as}"}`);
      expect(await fs.readFile(path.join(tmp, as!), 'utf8')).toBe(renderMessage(staged!.message));
      expect(await plansFor('t2')).toEqual([]);
      // A power loss may leave the spare's content unwritten: only its name was durable before the record.
      await fs.writeFile(path.join(tmp, as!), '');
      for (let restart = 0; restart < 2; restart++) {
        const again = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
        try {
          await until(again, async () => (await plansFor('t2')).length > 0 && (await readJournal(paths, 't2')).records.at(-1)?.kind === 'delivered', "t2's PLAN handed over and journaled so");
        } finally {
          await again.stop();
        }
        // Whole, from the journal's copy, once; the spare is gone with the hand-over.
        expect(await plansFor('t2')).toEqual([renderMessage(staged!.message)]);
        expect(await fs.readdir(tmp)).not.toContain(as);
      }
      expect(await plansFor('t1')).toHaveLength(1);
    } finally {
      await fs.rm(paths.root, { recursive: true, force: true });
    }
  });
});
