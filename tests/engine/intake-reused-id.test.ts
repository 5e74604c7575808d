import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { machines } from '../../machines/index.js';
import { stateLabel } from '../../src/engine/apply.js';
import { readJournal } from '../../src/engine/read.js';
import { replay } from '../../src/engine/replay.js';
import { loadConfig } from '../../src/workspace/config.js';
import { Engine } from '../../src/engine/engine.js';
import type { WorkspacePaths } from '../../src/workspace/paths.js';
import { HANDOFF_BODY, delivered, drop, plainProjectWorkspace } from './helpers.js';

const ME = 'backend-engineer';

/** The journal's records, as lines: one record per line. */
const journalLines = async (paths: WorkspacePaths, runId: string): Promise<number> => (await fs.readFile(paths.run(runId).journal, 'utf8')).trim().split('\n').length;

/** What rejected/ holds: each kept message beside its reason. */
async function rejected(paths: WorkspacePaths): Promise<{ name: string; text: string; reason: string }[]> {
  const dir = paths.inbox(ME).rejected;
  const names = (await fs.readdir(dir)).filter((n) => !n.endsWith('.reason.txt')).sort();
  return Promise.all(
    names.map(async (name) => ({ name, text: await fs.readFile(path.join(dir, name), 'utf8'), reason: await fs.readFile(path.join(dir, `${name}.reason.txt`), 'utf8') })),
  );
}

const start = (paths: WorkspacePaths) => Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });

/** Starts the engine with the run's snapshot cache gone: what it compares comes from the journal alone. */
async function startFromJournal(paths: WorkspacePaths): Promise<Engine> {
  await fs.rm(paths.run('signup').snapshot, { force: true });
  return start(paths);
}

async function scanAll(engine: Engine): Promise<void> {
  await engine.scan();
  await engine.core.queue.idle();
}

describe('a message whose [ID:] was already applied with other content', () => {
  it('should be kept in rejected/ whole, with a reason that names the ID and the run and says to send it with a new ID, and not be applied', async () => {
    const paths = await plainProjectWorkspace();
    const engine = await start(paths);
    try {
      await drop(paths, ME, { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 'signup', id: 'h-1', body: HANDOFF_BODY });
      await scanAll(engine);
      expect(stateLabel(engine.run('signup')!.snapshot.value)).toBe('awaitingApproval.waiting');
      const records = await journalLines(paths, 'signup');

      // The conductor reuses the handoff's ID for its decision: another message, not a copy.
      const name = await drop(paths, ME, { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 'signup', id: 'h-1', body: 'APPROVED' });
      const text = await fs.readFile(path.join(paths.inbox(ME).new, name), 'utf8');
      await scanAll(engine);

      expect(await fs.readdir(paths.inbox(ME).new)).toEqual([]);
      expect(await fs.readdir(paths.inbox(ME).cur)).not.toContain(name);
      const kept = await rejected(paths);
      expect(kept.map((k) => k.name)).toEqual([name]);
      expect(kept[0]!.text).toBe(text);
      expect(kept[0]!.reason).toMatch(/\[ID: h-1\]/);
      expect(kept[0]!.reason).toMatch(/run signup/);
      expect(kept[0]!.reason).toMatch(/other content/);
      expect(kept[0]!.reason).toMatch(/new \[ID:\]/);
      // Not applied: nothing journaled, the run still waits, nothing sent for it.
      expect(await journalLines(paths, 'signup')).toBe(records);
      expect(stateLabel(engine.run('signup')!.snapshot.value)).toBe('awaitingApproval.waiting');
      expect(await delivered(paths, 'sentinel')).toEqual([]);

      // Sent again with a new ID, it is applied.
      await drop(paths, ME, { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 'signup', id: 'c-1', body: 'APPROVED' });
      await scanAll(engine);
      expect(stateLabel(engine.run('signup')!.snapshot.value)).not.toMatch(/^awaitingApproval/);
    } finally {
      await engine.stop();
    }
  });

  it('should be kept in rejected/ after a restart too, the run rebuilt from its journal alone', async () => {
    const paths = await plainProjectWorkspace();
    let engine = await start(paths);
    try {
      await drop(paths, ME, { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 'signup', id: 'h-1', body: HANDOFF_BODY });
      await scanAll(engine);
    } finally {
      await engine.stop();
    }
    // No cache to lean on: what the engine compares comes from the journal.
    const records = await journalLines(paths, 'signup');
    engine = await startFromJournal(paths);
    try {
      const name = await drop(paths, ME, { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 'signup', id: 'h-1', body: `${HANDOFF_BODY}\n- [LANDMINE] app/models/User.py:7 — the email column is not unique` });
      await scanAll(engine);
      const kept = await rejected(paths);
      expect(kept.map((k) => k.name)).toEqual([name]);
      expect(kept[0]!.reason).toMatch(/\[ID: h-1\].*run signup.*other content/s);
      expect(await journalLines(paths, 'signup')).toBe(records);
      expect(await delivered(paths, 'conductor')).toHaveLength(1);
      // The digest the record carries changes nothing replay compares.
      expect(replay(machines['backend-engineer']!, await loadConfig(paths.root), (await readJournal(paths, 'signup')).records)).toMatchObject({ ok: true });
    } finally {
      await engine.stop();
    }
  });
});

describe('a message whose [ID:] was already applied with the same content', () => {
  it('should be taken silently and not applied again when the same message is dropped twice, also after a restart', async () => {
    const paths = await plainProjectWorkspace();
    const handoff = { from: 'analyst', type: 'HANDOFF' as const, priority: 'MEDIUM' as const, task: 'signup', id: 'h-1', body: HANDOFF_BODY };
    let engine = await start(paths);
    try {
      await drop(paths, ME, handoff);
      await scanAll(engine);
      const records = await journalLines(paths, 'signup');
      const again = await drop(paths, ME, handoff);
      await scanAll(engine);
      expect(await fs.readdir(paths.inbox(ME).cur)).toContain(again);
      expect(await fs.readdir(paths.inbox(ME).rejected)).toEqual([]);
      expect(await journalLines(paths, 'signup')).toBe(records);
    } finally {
      await engine.stop();
    }
    const records = await journalLines(paths, 'signup');
    engine = await startFromJournal(paths);
    try {
      // The same message again, written differently (CRLF, in a code fence, JSON): the same content as parsed.
      const inbox = paths.inbox(ME);
      const text = (await fs.readFile(path.join(inbox.cur, (await fs.readdir(inbox.cur)).sort()[0]!), 'utf8')).replace(/\n/g, '\r\n');
      await fs.writeFile(path.join(inbox.tmp, 'analyst--crlf.md'), `\uFEFF\`\`\`\r\n${text}\`\`\`\r\n`);
      await fs.rename(path.join(inbox.tmp, 'analyst--crlf.md'), path.join(inbox.new, 'analyst--crlf.md'));
      await fs.writeFile(path.join(inbox.tmp, 'analyst--json.json'), JSON.stringify({ ...handoff, to: [ME] }));
      await fs.rename(path.join(inbox.tmp, 'analyst--json.json'), path.join(inbox.new, 'analyst--json.json'));
      await scanAll(engine);
      expect(await fs.readdir(inbox.new)).toEqual([]);
      expect(await fs.readdir(inbox.rejected)).toEqual([]);
      expect(await fs.readdir(inbox.cur)).toEqual(expect.arrayContaining(['analyst--crlf.md', 'analyst--json.json']));
      expect(await journalLines(paths, 'signup')).toBe(records);
      expect(await delivered(paths, 'conductor')).toHaveLength(1);
    } finally {
      await engine.stop();
    }
  });

  it('should be taken silently when it is read again after a crash between its journaling and its ack', async () => {
    const paths = await plainProjectWorkspace();
    const inbox = paths.inbox(ME);
    let engine = await start(paths);
    let name: string;
    try {
      name = await drop(paths, ME, { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 'signup', id: 'h-1', body: HANDOFF_BODY });
      await scanAll(engine);
    } finally {
      await engine.stop();
    }
    // Journaled, and back where it was before its ack (the ack is this same rename: the file, its inode and mtime are the same).
    await fs.rename(path.join(inbox.cur, name), path.join(inbox.new, name));
    const records = await journalLines(paths, 'signup');
    engine = await startFromJournal(paths);
    try {
      await scanAll(engine);
      expect(await fs.readdir(inbox.new)).toEqual([]);
      expect(await fs.readdir(inbox.rejected)).toEqual([]);
      expect(await fs.readdir(inbox.cur)).toEqual([name]);
      expect(await journalLines(paths, 'signup')).toBe(records);
      expect(await delivered(paths, 'conductor')).toHaveLength(1);
    } finally {
      await engine.stop();
    }
  });
});

describe('a HANDOFF without [TASK:] whose [ID:] started a run that finished', () => {
  it('should, after a restart, be taken silently when it is a copy and kept aside with the reason when it says something else, the finished run untouched', async () => {
    const paths = await plainProjectWorkspace();
    const handoff = { from: 'analyst', type: 'HANDOFF' as const, priority: 'MEDIUM' as const, id: 'h-7', body: HANDOFF_BODY };
    let engine = await start(paths);
    let runId: string;
    try {
      await drop(paths, ME, handoff);
      await scanAll(engine);
      // Its run's id comes from the message's key: the message names no task.
      runId = engine.runs()[0]!.runId;
      await drop(paths, ME, { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: runId, body: 'APPROVED' });
      await scanAll(engine);
      await drop(paths, ME, { from: 'sentinel', type: 'PASS', priority: 'LOW', task: runId, body: 'ALL CLEAR' });
      await scanAll(engine);
      expect(engine.run(runId)!.snapshot.value).toBe('done');
    } finally {
      await engine.stop();
    }
    const records = await journalLines(paths, runId);
    const plans = (await delivered(paths, 'conductor')).length;
    engine = await start(paths);
    const warnings: string[] = [];
    engine.core.on('warning', (w) => warnings.push(w));
    try {
      const copy = await drop(paths, ME, handoff);
      await scanAll(engine);
      expect(await fs.readdir(paths.inbox(ME).cur)).toContain(copy);
      expect(await fs.readdir(paths.inbox(ME).rejected)).toEqual([]);
      expect(warnings).toEqual([]);
      const other = await drop(paths, ME, { ...handoff, body: `${HANDOFF_BODY}\n- [LANDMINE] app/models/User.py:7 — the email column is not unique` });
      await scanAll(engine);
      const kept = await rejected(paths);
      expect(kept.map((k) => k.name)).toEqual([other]);
      expect(kept[0]!.reason).toMatch(new RegExp(`\\[ID: h-7\\].*run ${runId}.*other content`, 's'));
      expect(await journalLines(paths, runId)).toBe(records);
      expect((await delivered(paths, 'conductor')).length).toBe(plans);
    } finally {
      await engine.stop();
    }
  });
});
