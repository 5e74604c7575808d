import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunCore } from '../../src/engine/core.js';
import { Engine } from '../../src/engine/engine.js';
import { Intake } from '../../src/engine/intake.js';
import type { RunRecord, RunState } from '../../src/engine/run-state.js';
import { stateLabel } from '../../src/engine/apply.js';
import { createFolderMailbox } from '../../src/mailbox/folder/index.js';
import type { Mailbox } from '../../src/mailbox/port.js';
import { renderMessage } from '../../src/protocol/render.js';
import type { Message } from '../../src/protocol/schema.js';
import { handoffReport } from '../../src/sim/scenario.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { loadConfig } from '../../src/workspace/config.js';
import { tempWorkspace, holdingDeliveries, plainProjectWorkspace } from './helpers.js';

const ME = 'backend-engineer';
const handoff = (task: string): Message => ({ from: 'analyst', to: [ME], type: 'HANDOFF', priority: 'MEDIUM', task, body: handoffReport(task), action: 'Use this map for implementation.' });
const approval = (task: string): Message => ({ from: 'conductor', to: [ME], type: 'STATUS', priority: 'HIGH', task, body: 'APPROVED', action: 'Implement the approved plan.' });

describe('the intake of a burst', () => {
  it("should take a burst larger than one chunk exactly once, send the first replies before it is all read, and keep each run's messages in the order they came", async () => {
    const paths = await plainProjectWorkspace();
    const inbox = paths.inbox(ME);
    // 300 handoffs, then approvals for some of them: a few right after their handoff (the
    // same chunk), the rest at the very end (chunks later). Arrival order is the files' mtimes.
    const tasks = Array.from({ length: 300 }, (_, i) => `burst-${String(i).padStart(3, '0')}`);
    const soon = new Set(['burst-100', 'burst-101', 'burst-250']);
    const late = ['burst-000', 'burst-001', 'burst-063', 'burst-064', 'burst-299'];
    const order: { name: string; m: Message }[] = [];
    for (const task of tasks) {
      order.push({ name: `analyst--${task}.md`, m: handoff(task) });
      if (soon.has(task)) order.push({ name: `conductor--${task}-ok.md`, m: approval(task) });
    }
    for (const task of late) order.push({ name: `conductor--${task}-ok.md`, m: approval(task) });
    const base = Date.now() / 1000 - 60;
    for (const [i, { name, m }] of order.entries()) {
      await fs.writeFile(path.join(inbox.tmp, name), renderMessage(m));
      await fs.utimes(path.join(inbox.tmp, name), base + i / 100, base + i / 100);
    }
    for (const { name } of order) await fs.rename(path.join(inbox.tmp, name), path.join(inbox.new, name));

    // The folder mailbox, with what the engine asks of it written down.
    const calls: string[] = [];
    const wrap = (mb: Mailbox): Mailbox => ({
      ...mb,
      claim: async (max) => {
        const got = await mb.claim(max);
        calls.push(`claim ${max ?? 'all'} ${got.length}`);
        return got;
      },
      deliver: async (to, m, key) => {
        calls.push(`deliver ${m.type} to ${to}`);
        return mb.deliver(to, m, key);
      },
    });
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, mailbox: (p, config) => wrap(createFolderMailbox({ paths: p, config, settleMs: 0 })) });
    try {
      await engine.scan();
      await engine.core.queue.idle();
      const claims = calls.filter((c) => c.startsWith('claim'));
      // Claimed a bounded chunk at a time, and a PLAN went out before the last chunk was read.
      for (const c of claims) expect(Number(c.split(' ')[1])).toBeLessThan(order.length);
      expect(claims.filter((c) => !c.endsWith(' 0')).length).toBeGreaterThan(2);
      const lastClaim = calls.findLastIndex((c) => c.startsWith('claim') && !c.endsWith(' 0'));
      expect(calls.findIndex((c) => c === 'deliver PLAN to conductor')).toBeLessThan(lastClaim);
      // Every message taken once: none left, none kept aside, each one in cur/.
      expect(await fs.readdir(inbox.new)).toEqual([]);
      expect(await fs.readdir(inbox.rejected)).toEqual([]);
      expect((await fs.readdir(inbox.cur)).sort()).toEqual(order.map((o) => o.name).sort());
      expect(calls.filter((c) => c === 'deliver PLAN to conductor')).toHaveLength(tasks.length);
      // An approval taken before its run's handoff would have been kept aside as unrouted; each moved its run on.
      const approved = new Set([...soon, ...late]);
      for (const task of tasks) {
        const run = engine.run(task);
        expect(run, task).toBeDefined();
        expect(stateLabel(run!.snapshot.value).startsWith('awaitingApproval'), `${task} is ${stateLabel(run!.snapshot.value)}`).toBe(!approved.has(task));
      }
      expect(calls.filter((c) => c === 'deliver HANDOFF to sentinel')).toHaveLength(approved.size);
    } finally {
      await engine.stop();
    }
  }, 300_000);

  it('should stop a pass at a full disk, leave nothing in hand, and take the rest once the disk has room', async () => {
    const paths = await tempWorkspace('instant');
    const config = await loadConfig(paths.root);
    const inbox = paths.inbox(ME);
    const tasks = Array.from({ length: 150 }, (_, i) => `full-${String(i).padStart(3, '0')}`);
    for (const [i, task] of tasks.entries()) {
      const name = `analyst--${task}.md`;
      await fs.writeFile(path.join(inbox.tmp, name), renderMessage(handoff(task)));
      const at = Date.now() / 1000 - 60 + i / 100;
      await fs.utimes(path.join(inbox.tmp, name), at, at);
      await fs.rename(path.join(inbox.tmp, name), path.join(inbox.new, name));
    }
    // The journal's disk fills up after 40 appends, until it is given room.
    const store = createMemoryStore<RunRecord, RunState>();
    let appends = 0;
    let full = true;
    const append = store.append.bind(store);
    store.append = async (runId, records) => {
      if (full && ++appends > 40) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return append(runId, records);
    };
    const mailbox = createFolderMailbox({ paths, config, settleMs: 0 });
    const core = new RunCore({ paths, config, store, mailbox, log: () => undefined });
    const intake = new Intake(core);
    try {
      await intake.scan();
      expect(intake.pausedUntil).toBeGreaterThan(Date.now());
      expect(intake.busy).toBe(0);
      const done = new Set(await fs.readdir(inbox.cur));
      const waiting = new Set(await fs.readdir(inbox.new));
      expect(done.size).toBeGreaterThan(0);
      expect(waiting.size).toBeGreaterThan(0);
      expect(done.size + waiting.size).toBe(tasks.length);
      expect(await fs.readdir(inbox.rejected)).toEqual([]);
      // Nothing is left in hand: every message still waiting is offered again.
      const again = await mailbox.claim();
      expect(new Set(again.map((i) => i.origin.replace(`inboxes/${ME}/new/`, '')))).toEqual(waiting);
      for (const i of again) mailbox.release(i.ref);

      full = false;
      intake.pausedUntil = 0;
      await intake.scan();
      await core.queue.idle();
      expect(await fs.readdir(inbox.new)).toEqual([]);
      expect((await fs.readdir(inbox.cur)).sort()).toEqual(tasks.map((t) => `analyst--${t}.md`));
      for (const task of tasks) expect(core.get(task), task).toBeDefined();
    } finally {
      await store.close();
    }
  }, 300_000);
});

describe('stopping with a backlog', () => {
  it('should finish the messages in hand and leave the rest in the inbox, for the next start to take once each', async () => {
    const paths = await plainProjectWorkspace();
    const inbox = paths.inbox(ME);
    const tasks = Array.from({ length: 600 }, (_, i) => `s${String(i).padStart(4, '0')}`);
    const plans = async () => (await fs.readdir(paths.inbox('conductor').new)).length;
    let engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    for (const task of tasks) await fs.writeFile(path.join(inbox.new, `analyst--${task}.md`), renderMessage(handoff(task)));
    // The stop comes while the backlog is being taken.
    const pass = engine.scan();
    while ((await plans()) === 0) await new Promise((r) => setTimeout(r, 5));
    await engine.stop();
    await pass;
    const left = (await fs.readdir(inbox.new)).length;
    const sent = await plans();
    // Nothing in hand was dropped: every handoff is either answered or still waiting.
    expect(sent + left).toBe(tasks.length);
    expect(left).toBeGreaterThan(0);
    engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      while ((await fs.readdir(inbox.new)).length > 0) await engine.scan();
      await engine.core.queue.idle();
    } finally {
      await engine.stop();
    }
    expect(await plans()).toBe(tasks.length);
  }, 180_000);
});

describe('a message that comes while the one before it is finishing', () => {
  it('should be claimed and applied while the earlier one still waits on its delivery, and each taken once', async () => {
    const paths = await plainProjectWorkspace();
    const inbox = paths.inbox(ME);
    // The first run's PLAN is held on its way out (after its record is journaled), as a slow disk would.
    const { wrap, release, delivering } = holdingDeliveries(
      (m) => m.task === 'first',
      (to, m) => `${m.type} ${m.task} to ${to}`,
    );
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, mailbox: (p, config) => wrap(createFolderMailbox({ paths: p, config, settleMs: 0 })) });
    try {
      await fs.writeFile(path.join(inbox.tmp, 'analyst--first.md'), renderMessage(handoff('first')));
      await fs.rename(path.join(inbox.tmp, 'analyst--first.md'), path.join(inbox.new, 'analyst--first.md'));
      const pass = engine.scan();
      for (let i = 0; i < 2000 && !delivering.includes('PLAN first to conductor'); i++) await new Promise((r) => setTimeout(r, 5));
      expect(delivering).toEqual(['PLAN first to conductor']);
      // The second comes while the first waits on its delivery; the wake-up of a watcher is a scan asked for meanwhile.
      await fs.writeFile(path.join(inbox.tmp, 'analyst--second.md'), renderMessage(handoff('second')));
      await fs.rename(path.join(inbox.tmp, 'analyst--second.md'), path.join(inbox.new, 'analyst--second.md'));
      void engine.scan();
      for (let i = 0; i < 2000 && !delivering.includes('PLAN second to conductor'); i++) await new Promise((r) => setTimeout(r, 5));
      // Applied and its reply out, the first still held.
      expect(delivering).toEqual(['PLAN first to conductor', 'PLAN second to conductor']);
      expect(await fs.readdir(paths.inbox('conductor').new)).toHaveLength(1);
      release();
      await pass;
      await engine.core.queue.idle();
      expect(await fs.readdir(inbox.new)).toEqual([]);
      expect((await fs.readdir(inbox.cur)).sort()).toEqual(['analyst--first.md', 'analyst--second.md']);
      expect(await fs.readdir(paths.inbox('conductor').new)).toHaveLength(2);
      for (const task of ['first', 'second']) expect(stateLabel(engine.run(task)!.snapshot.value)).toBe('awaitingApproval.waiting');
    } finally {
      release();
      await engine.stop();
      await fs.rm(paths.root, { recursive: true, force: true });
    }
  });
});
