import { promises as fs } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { machines } from '../../machines/index.js';
import { stateLabel } from '../../src/engine/apply.js';
import { RunCore } from '../../src/engine/core.js';
import { migrate } from '../../src/engine/recover.js';
import { Engine } from '../../src/engine/engine.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import type { RunRecord, RunState } from '../../src/engine/run-state.js';
import { createFolderMailbox } from '../../src/mailbox/folder/index.js';
import { loadConfig } from '../../src/workspace/config.js';
import { ScriptedTeam } from '../../src/sim/scripted-team.js';
import type { WorkspacePaths } from '../../src/workspace/paths.js';
import { HANDOFF_BODY, drop, settle, tempWorkspace, until } from './helpers.js';


describe('recovery', () => {
  it('should cut a torn journal tail, keep its bytes, warn, and go on from the last whole record', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.project = '.';
    });
    let engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
    await settle(engine);
    await engine.stop();
    const { journal, snapshot, dir } = paths.run('t1');
    await fs.rm(snapshot, { force: true });
    await fs.appendFile(journal, '{"c":"0000","p":{"seq":99,"kind":"ev');
    const warnings: string[] = [];
    engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, log: (l) => warnings.push(l) });
    try {
      expect(warnings.join('\n')).toMatch(/run t1: the journal's last write was cut by a crash/);
      expect(stateLabel(engine.run('t1')!.snapshot.value)).toBe('awaitingApproval.waiting');
      expect((await fs.readdir(dir)).some((n) => n.startsWith('journal.torn.'))).toBe(true);
      await drop(paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'APPROVED' });
      await settle(engine);
      expect(engine.run('t1')!.snapshot.value).toBe('verifying');
    } finally {
      await engine.stop();
    }
  });

  it('should refuse a run saved by another machine version when no migration is registered, and migrate when one is', async () => {
    const paths = await tempWorkspace('instant');
    const config = await loadConfig(paths.root);
    const store = createMemoryStore<RunRecord, RunState>();
    const core = new RunCore({ paths, config, store, mailbox: createFolderMailbox({ paths, config, settleMs: 0 }) });
    const state = await core.create('old', { id: 'old', subject: 'old task', description: '' });
    const v0 = { ...state, machine: { id: state.machine.id, version: 0 } };
    expect(() => migrate(core, v0)).toThrow(/saved by backend-engineer v0 and no migration to v1 is registered/);
    const entry = machines['backend-engineer']!;
    entry.migrations[0] = (s) => ({ ...(s as object), context: { ...(s as { context: object }).context, migrated: true } });
    try {
      const migrated = migrate(core, v0);
      expect(migrated.machine.version).toBe(entry.version);
      expect((migrated.snapshot.context as { migrated?: boolean }).migrated).toBe(true);
    } finally {
      delete entry.migrations[0];
      await store.close();
    }
  });
});

describe('messages that cannot be applied', () => {
  it('should keep an invalid message and one for no run in rejected/ with their reasons', async () => {
    const paths = await tempWorkspace('instant');
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      const inbox = paths.inbox('backend-engineer');
      await fs.writeFile(`${inbox.new}/analyst--bad.md`, '[PRIORITY: HIGH]\n[TYPE: HANDOF]\n[TO: builder]\n\nbody\n');
      await fs.writeFile(`${inbox.new}/breaker--lost.md`, '[PRIORITY: HIGH]\n[TYPE: BUG]\n[TO: builder]\n[TASK: nope]\n\n## BUG-1\n');
      await settle(engine);
      const rejected = await fs.readdir(inbox.rejected);
      expect(rejected.sort()).toEqual(['analyst--bad.md', 'analyst--bad.md.reason.txt', 'breaker--lost.md', 'breaker--lost.md.reason.txt']);
      expect(await fs.readFile(`${inbox.rejected}/analyst--bad.md.reason.txt`, 'utf8')).toMatch(/line 2.*HANDOF.*PLAN, STATUS/);
      expect(await fs.readFile(`${inbox.rejected}/breaker--lost.md.reason.txt`, 'utf8')).toMatch(/unrouted: no run for task nope/);
      expect(engine.runs()).toEqual([]);
    } finally {
      await engine.stop();
    }
  });
});

describe('delta journal records', () => {
  it('should write a step input once and still give it back to the step after a restart', async () => {
    const paths = await tempWorkspace('default', (c) => {
      c.project = '.';
      c.steps = { 'architecture-validator': { kind: 'instant' } };
    });
    let engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
    await until(engine, () => stateLabel(engine.run('t1')?.snapshot.value ?? '') === 'awaitingApproval.waiting', 'the plan');
    await drop(paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'APPROVED' });
    await until(engine, () => engine.manual.pending().some((p) => p.step === 'implement'), 'the manual implement step');
    const plan = (engine.run('t1')!.steps.implement!.input as { plan?: string }).plan;
    expect(plan).toMatch(/## Backend Implementation Plan/);
    await engine.stop();

    const lines = (await fs.readFile(paths.run('t1').journal, 'utf8')).trim().split('\n');
    expect(lines.filter((l) => l.includes('## Backend Implementation Plan') && l.includes('"started"')).length).toBeGreaterThan(0);
    await fs.rm(paths.run('t1').snapshot, { force: true });
    engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      await until(engine, () => engine.manual.pending().some((p) => p.step === 'implement'), 'the implement step again after the restart');
      expect((engine.run('t1')!.steps.implement!.input as { plan?: string }).plan).toBe(plan);
      expect(engine.run('t1')!.steps.implement!.attempt).toBe(2);
    } finally {
      await engine.stop();
    }
  });
});

describe('a finished run whose finished marks were lost', () => {
  it('should be marked finished again at the next start, not taken for unfinished, with nothing sent twice', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.project = '.';
    });
    let engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    const team = new ScriptedTeam({ paths, tasks: ['t1'], conductor: 'scripted' });
    try {
      await until(engine, async () => {
        await team.tick();
        return !(await engine.core.deps.store.listRuns({ unfinishedOnly: true })).includes('t1') && engine.run('t1')?.snapshot.status === 'done';
      }, 'the run to finish');
    } finally {
      await engine.stop();
    }
    const sent = await sentCounts(paths);
    // What a power cut right after the mark was written (it is not fsynced) can leave.
    await fs.rm(`${paths.runsDir}/.finished`);
    engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      expect(engine.unfinished().map((r) => r.runId)).toEqual([]);
      expect(engine.run('t1')?.snapshot.status).toBe('done');
      expect(await engine.core.deps.store.listRuns({ unfinishedOnly: true })).toEqual([]);
      await engine.scan();
      await engine.core.queue.idle();
      expect(await sentCounts(paths)).toEqual(sent);
    } finally {
      await engine.stop();
    }
  });
});

describe('delivery markers left by earlier engines', () => {
  it('should be pruned at start, all but those of replies still undelivered', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.project = '.';
    });
    const hourAgo = new Date(Date.now() - 3_600_000);
    const old = `${paths.deliveriesDir}/ab/ab12cd34ef56ab78`;
    await fs.mkdir(`${paths.deliveriesDir}/ab`, { recursive: true });
    await fs.writeFile(old, '');
    await fs.utimes(old, hourAgo, hourAgo);
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      await until(engine, async () => !(await fs.stat(old).then(() => true, () => false)), 'the old marker to be pruned');
    } finally {
      await engine.stop();
    }
  });
});

/** How many messages each member has in new/. */
async function sentCounts(paths: WorkspacePaths): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of ['conductor', 'breaker', 'sentinel', 'librarian']) out[m] = (await fs.readdir(paths.inbox(m).new)).length;
  return out;
}
