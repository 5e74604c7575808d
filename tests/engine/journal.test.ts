import { promises as fs } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { machines } from '../../machines/index.js';
import { stateLabel } from '../../src/engine/apply.js';
import { fold } from '../../src/engine/fold.js';
import { readJournal } from '../../src/engine/read.js';
import { replay } from '../../src/engine/replay.js';
import type { RunRecord } from '../../src/engine/run-state.js';
import { Engine } from '../../src/engine/engine.js';
import { loadConfig } from '../../src/workspace/config.js';
import { HANDOFF_BODY, drop, settle, tempWorkspace } from './helpers.js';

describe('the journal of a run', () => {
  it('should hold one record per inbound message, with the instant steps it caused inside it, and fold back to the engine state', async () => {
    const paths = await tempWorkspace('instant');
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, now: () => Date.parse('2026-12-01T09:00:00Z') });
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await settle(engine);
      expect(stateLabel(engine.run('t1')!.snapshot.value)).toBe('awaitingApproval.waiting');
      const { records } = await readJournal(paths, 't1');
      const events = records.filter((r) => r.kind === 'event');
      // The HANDOFF, then readLog, plan and plan-check inside the same record.
      expect(events).toHaveLength(1);
      const [handoff] = events as Extract<RunRecord, { kind: 'event'; delta: unknown }>[];
      expect(handoff!.source.kind).toBe('message');
      expect(handoff!.then?.map((a) => a.source.kind === 'step' && a.source.id)).toEqual(['read-log', 'plan', 'plan-check']);
      expect(handoff!.then?.at(-1)?.outbox.map((o) => o.message.type)).toEqual(['PLAN']);
      // What changed, not the whole state: the created record alone holds the context whole.
      expect(JSON.stringify(handoff!.delta)).not.toContain('"limits"');
      const folded = fold(records)!;
      const live = engine.run('t1')!;
      expect(folded.snapshot).toEqual(JSON.parse(JSON.stringify(live.snapshot)));
      expect(folded.timers).toEqual(live.timers);
      expect(folded.last?.type).toBe('PLAN');
      expect(folded.snapshot.tags).toEqual(['waiting-on-conductor']);
      expect(folded.seen).toHaveLength(1);
    } finally {
      await engine.stop();
    }
  });

  it('should replay exactly, and name the record whose journaled change the machine no longer makes', async () => {
    const paths = await tempWorkspace('instant');
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await settle(engine);
      await drop(paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'APPROVED' });
      await settle(engine);
    } finally {
      await engine.stop();
    }
    const config = await loadConfig(paths.root);
    const entry = machines['backend-engineer']!;
    const { records } = await readJournal(paths, 't1');
    expect(replay(entry, config, records)).toMatchObject({ ok: true });

    const tampered = JSON.parse(JSON.stringify(records)) as RunRecord[];
    const approval = tampered.find((r) => r.kind === 'event' && r.source.kind === 'message' && r.source.from === 'conductor') as Extract<RunRecord, { kind: 'event'; delta: unknown }>;
    approval.delta.context = { ...approval.delta.context, planApprovedFirstTry: false };
    expect(replay(entry, config, tampered)).toMatchObject({ ok: false, seq: approval.seq, what: 'what changed' });
  });

  it('should still read and replay a journal of the first format, whose records hold the whole state', async () => {
    const paths = await tempWorkspace('instant');
    const at = Date.parse('2026-11-20T10:00:00Z');
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, now: () => at });
    const created = await engine.core.create('old', { id: 'old', subject: 'old task', description: '' });
    await engine.stop();
    const event = { type: 'NOTICE', messageType: 'WARNING', attention: true, from: 'librarian', messageId: 'm1', body: 'heads up', priority: 'LOW' };
    const notices = [{ type: 'WARNING', from: 'librarian', firstLine: 'heads up', messageId: 'm1', attention: true }];
    const { undelivered: _u, ...rest } = created;
    const legacy = {
      seq: 2,
      at,
      kind: 'event',
      source: { kind: 'message', key: 'k1', file: 'librarian--1.md', from: 'librarian', type: 'WARNING', priority: 'LOW', firstLine: 'heads up' },
      event,
      outbox: [],
      state: { ...rest, snapshot: { ...created.snapshot, context: { ...created.snapshot.context, notices } }, seen: ['k1'], updatedAt: at },
    };
    const { records } = await readJournal(paths, 'old');
    const journal = [...records, legacy] as unknown as RunRecord[];
    await fs.rm(paths.run('old').snapshot, { force: true });
    const state = fold(journal)!;
    expect((state.snapshot.context as { notices: unknown[] }).notices).toEqual(notices);
    expect(state.snapshot.tags).toEqual(['waiting-on-analyst']);
    expect(replay(machines['backend-engineer']!, await loadConfig(paths.root), journal)).toMatchObject({ ok: true, steps: 1 });
  });
});
