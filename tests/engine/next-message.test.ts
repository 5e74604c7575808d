import { promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { machines } from '../../machines/index.js';
import { stateLabel } from '../../src/engine/apply.js';
import { Engine } from '../../src/engine/engine.js';
import { fold } from '../../src/engine/fold.js';
import { readJournal } from '../../src/engine/read.js';
import { replay } from '../../src/engine/replay.js';
import type { RunRecord } from '../../src/engine/run-state.js';
import { createFolderMailbox } from '../../src/mailbox/folder/index.js';
import type { Mailbox } from '../../src/mailbox/port.js';
import { renderMessage } from '../../src/protocol/render.js';
import type { Message } from '../../src/protocol/schema.js';
import { handoffReport } from '../../src/sim/scenario.js';
import { loadConfig } from '../../src/workspace/config.js';
import type { WorkspacePaths } from '../../src/workspace/paths.js';
import { holdingDeliveries, plainProjectWorkspace } from './helpers.js';

const ME = 'backend-engineer';
const handoff = (task: string): Message => ({ from: 'analyst', to: [ME], type: 'HANDOFF', priority: 'MEDIUM', task, body: handoffReport(task), action: 'Use this map for implementation.' });
const approval = (task: string): Message => ({ from: 'conductor', to: [ME], type: 'STATUS', priority: 'HIGH', task, body: 'APPROVED', action: 'Implement the approved plan.' });

async function put(paths: WorkspacePaths, name: string, m: Message): Promise<void> {
  const inbox = paths.inbox(ME);
  await fs.writeFile(path.join(inbox.tmp, name), renderMessage(m));
  await fs.rename(path.join(inbox.tmp, name), path.join(inbox.new, name));
}

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 4000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
}

/** An engine whose PLAN for `task` is held on its way out until released, and whose appends are written down. */
async function engineHoldingPlan(task: string) {
  const paths = await plainProjectWorkspace();
  const { wrap, release, delivering } = holdingDeliveries(
    (m) => m.task === task && m.type === 'PLAN',
    (to, m) => `${m.type} to ${to}`,
  );
  const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, mailbox: (p, config) => wrap(createFolderMailbox({ paths: p, config, settleMs: 0 })) });
  const appends: RunRecord['kind'][][] = [];
  const store = engine.core.deps.store;
  const append = store.append.bind(store);
  store.append = async (runId, records) => {
    appends.push(records.map((r) => r.kind));
    return append(runId, records);
  };
  return { paths, engine, release, delivering, appends };
}

describe('the delivered record of replies handed over while the run has its next task waiting', () => {
  it("should be journaled in the same append as the next message's record, the journal the same record for record", async () => {
    const { paths, engine, release, delivering, appends } = await engineHoldingPlan('t1');
    try {
      await put(paths, 'analyst--t1.md', handoff('t1'));
      const pass = engine.scan();
      await waitFor(() => delivering.length > 0);
      // The approval comes while the PLAN is being handed over: it is claimed and waits in the run's queue.
      await put(paths, 'conductor--t1-ok.md', approval('t1'));
      void engine.scan();
      await waitFor(() => engine.core.queue.queued('t1') > 0);
      expect(engine.core.queue.queued('t1')).toBe(1);
      release();
      await pass;
      await engine.core.queue.idle();
      // created + HANDOFF in one append, then the PLAN's delivered record leading the approval's.
      expect(appends.slice(0, 2)).toEqual([
        ['created', 'event'],
        ['delivered', 'event'],
      ]);
      const run = engine.run('t1')!;
      expect(stateLabel(run.snapshot.value)).toBe('verifying');
      expect(run.undelivered).toEqual([]);
      const { records } = await readJournal(paths, 't1');
      expect(records.map((r) => r.kind)).toEqual(['created', 'event', 'delivered', 'event', 'delivered']);
      expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
      const folded = fold(records)!;
      expect(folded.undelivered).toEqual([]);
      expect(folded.snapshot).toEqual(JSON.parse(JSON.stringify(run.snapshot)));
      expect(replay(machines['backend-engineer']!, await loadConfig(paths.root), records)).toMatchObject({ ok: true });
      // Every reply handed over once.
      expect(await fs.readdir(paths.inbox('conductor').new)).toHaveLength(1);
      expect(await fs.readdir(paths.inbox('sentinel').new)).toHaveLength(1);
    } finally {
      release();
      await engine.stop();
      await fs.rm(paths.root, { recursive: true, force: true });
    }
  });

  it('should be journaled on its own when the task that waited appends nothing, and the run show nothing held then', async () => {
    const { paths, engine, release, delivering, appends } = await engineHoldingPlan('t2');
    try {
      await put(paths, 'analyst--t2.md', handoff('t2'));
      const pass = engine.scan();
      await waitFor(() => delivering.length > 0);
      // A task of the run that journals nothing (as a message already applied would be).
      let ran = false;
      const nothing = engine.core.queue.run('t2', async () => {
        // Until it is journaled the run's state is what its journal says: the PLAN not delivered yet.
        expect(engine.run('t2')!.undelivered.map((o) => o.message.type)).toEqual(['PLAN']);
        ran = true;
      });
      release();
      await pass;
      await nothing;
      await engine.core.queue.idle();
      expect(ran).toBe(true);
      expect(appends).toEqual([['created', 'event'], ['delivered']]);
      expect(engine.run('t2')!.undelivered).toEqual([]);
      const { records } = await readJournal(paths, 't2');
      expect(records.map((r) => r.kind)).toEqual(['created', 'event', 'delivered']);
      expect(stateLabel(engine.run('t2')!.snapshot.value)).toBe('awaitingApproval.waiting');
    } finally {
      release();
      await engine.stop();
      await fs.rm(paths.root, { recursive: true, force: true });
    }
  });
});

describe('the snapshot caches due at the end of a pass', () => {
  it('should wait for the pass that takes the message that woke the engine meanwhile, and be written after it', async () => {
    const paths = await plainProjectWorkspace();
    let gate: Promise<void> = Promise.resolve();
    let release = () => {};
    const calls: string[] = [];
    const wrap = (mb: Mailbox): Mailbox => ({
      ...mb,
      claim: async (max) => {
        const got = await mb.claim(max);
        calls.push(`claim ${got.length}`);
        return got;
      },
      deliver: async (to, m, key, opts) => {
        if (m.type === 'HANDOFF') await gate;
        return mb.deliver(to, m, key, opts);
      },
    });
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, mailbox: (p, config) => wrap(createFolderMailbox({ paths: p, config, settleMs: 0 })) });
    const store = engine.core.deps.store;
    const writeSnapshot = store.writeSnapshot.bind(store);
    store.writeSnapshot = async (runId, seq, data, head) => {
      calls.push(`snapshot ${runId}`);
      return writeSnapshot(runId, seq, data, head);
    };
    try {
      await put(paths, 'analyst--t3.md', handoff('t3'));
      await engine.scan();
      await engine.core.queue.idle();
      gate = new Promise<void>((r) => (release = r));
      calls.length = 0;
      // The approval's replies are held on their way out while a wake-up asks for another scan.
      await put(paths, 'conductor--t3-ok.md', approval('t3'));
      const pass = engine.scan();
      await waitFor(() => calls.includes('claim 1'));
      void engine.scan();
      release();
      await pass;
      await engine.core.queue.idle();
      expect(stateLabel(engine.run('t3')!.snapshot.value)).toBe('verifying');
      // Its cache is due (five records since none); written once the pass asked for meanwhile found nothing more.
      expect(calls.filter((c) => c.startsWith('snapshot'))).toEqual(['snapshot t3']);
      expect(calls.at(-1)).toBe('snapshot t3');
      expect(calls.filter((c) => c === 'claim 0').length).toBeGreaterThanOrEqual(2);
    } finally {
      release();
      await engine.stop();
      await fs.rm(paths.root, { recursive: true, force: true });
    }
  });
});

describe('what a step wrote that the record saying so must follow on disk', () => {
  it("should hold the run's next record until it is durable, and let the record be written once it is", async () => {
    const paths = await plainProjectWorkspace();
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      await put(paths, 'analyst--t4.md', handoff('t4'));
      await engine.scan();
      await engine.core.queue.idle();
      const appends: string[] = [];
      const store = engine.core.deps.store;
      const append = store.append.bind(store);
      store.append = async (runId, records) => {
        appends.push(records.map((r) => r.kind).join('+'));
        return append(runId, records);
      };
      // As the agent log's entry: written, its fsync still running.
      let synced!: () => void;
      engine.core.beforeRecord('t4', new Promise<void>((r) => (synced = r)));
      await put(paths, 'conductor--t4-ok.md', approval('t4'));
      const pass = engine.scan();
      let staged: string[] = [];
      for (let i = 0; i < 2000 && staged.length < 3; i++) {
        await new Promise((r) => setTimeout(r, 5));
        staged = ['sentinel', 'breaker', 'librarian'].filter((m) => readdirSync(paths.inbox(m).tmp).some((n) => n.startsWith('backend-engineer--')));
      }
      // The replies are staged beside it; the record waits.
      expect(staged).toHaveLength(3);
      expect(appends).toEqual([]);
      synced();
      await pass;
      await engine.core.queue.idle();
      expect(appends[0]).toBe('event');
      expect(stateLabel(engine.run('t4')!.snapshot.value)).toBe('verifying');
    } finally {
      await engine.stop();
      await fs.rm(paths.root, { recursive: true, force: true });
    }
  });
});
