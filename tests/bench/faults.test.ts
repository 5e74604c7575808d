import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath, startResponder, stopProcess } from '../../bench/lib/processes.js';
import { readJournal } from '../../src/engine/read.js';
import { Engine } from '../../src/engine/engine.js';
import { packageRoot } from '../../src/package-root.js';
import { listInbox } from '../../src/mailbox/folder/read.js';
import { receive } from '../../src/mailbox/folder/receive.js';
import { loadConfig } from '../../src/workspace/config.js';
import type { WorkspacePaths } from '../../src/workspace/paths.js';
import { drop, HANDOFF_BODY, tempWorkspace } from '../engine/helpers.js';
import { canMount, fill, makeReadOnly, mountTmpfs, unmountAll } from './mounts.js';

const ENGINEER = 'backend-engineer';
afterEach(() => unmountAll());

async function start(paths: WorkspacePaths, warnings: string[]): Promise<Engine> {
  const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
  engine.core.on('warning', (w) => warnings.push(w));
  return engine;
}

/** Scans until the run waits on the conductor with nothing left to deliver (or gives up). */
async function settle(engine: Engine, runId: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await engine.scan();
    const s = engine.run(runId);
    if (s && Object.keys(s.steps).length === 0 && s.undelivered.length === 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

const handoff = (paths: WorkspacePaths, task: string) => drop(paths, ENGINEER, { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task, body: HANDOFF_BODY });

/** Messages of `type` for `task` in `member`'s new/ and cur/. */
async function inboxCount(paths: WorkspacePaths, member: string, type: string, task: string): Promise<number> {
  let n = 0;
  for (const dir of [paths.inbox(member).new, paths.inbox(member).cur]) {
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      if (name.startsWith('.')) continue;
      const text = await fs.readFile(path.join(dir, name), 'utf8');
      if (text.includes(`[TYPE: ${type}]`) && text.includes(`[TASK: ${task}]`)) n++;
    }
  }
  return n;
}

/** How many journal records applied the message file `name` to run `task`. */
async function appliedTimes(paths: WorkspacePaths, task: string, name: string): Promise<number> {
  const { records } = await readJournal(paths, task);
  return records.filter((r) => r.kind === 'event' && r.source.kind === 'message' && r.source.origin.endsWith(`/${name}`)).length;
}

/** The message was taken exactly once: out of new/, into cur/, applied once, never rejected. */
async function expectTakenOnce(paths: WorkspacePaths, task: string, name: string): Promise<void> {
  const inbox = paths.inbox(ENGINEER);
  expect(await fs.readdir(inbox.new)).not.toContain(name);
  expect(await fs.readdir(inbox.cur)).toContain(name);
  expect(await fs.readdir(inbox.rejected)).toEqual([]);
  expect(await appliedTimes(paths, task, name)).toBe(1);
  expect(await inboxCount(paths, 'conductor', 'PLAN', task)).toBe(1);
}

describe.skipIf(!canMount)('faults on a real file system (tmpfs and read-only mounts)', () => {
  it('keeps a message in the inbox while the disk is full, says so once, and applies it once by itself when space is freed', async () => {
    const paths = await tempWorkspace();
    await mountTmpfs(paths.runsDir, 256);
    const warnings: string[] = [];
    const engine = await start(paths, warnings);
    const free = await fill(paths.runsDir);
    const name = await handoff(paths, 'full-1');
    for (let i = 0; i < 20; i++) await engine.scan();
    const said = warnings.filter((w) => /ENOSPC/.test(w));
    expect(said.join('\n')).toMatch(/taking messages is waiting: the disk is full \(ENOSPC at .*runs/);
    // Twenty scans, one line: the fault is said once, not once per try.
    expect(said).toHaveLength(1);
    expect(await fs.readdir(paths.inbox(ENGINEER).new)).toContain(name);
    expect(await inboxCount(paths, 'conductor', 'PLAN', 'full-1')).toBe(0);

    await free();
    // No restart: the engine's own retry (a timer, not a scan by the test) takes the message.
    for (let i = 0; i < 400 && engine.run('full-1')?.undelivered.length !== 0; i++) await new Promise((r) => setTimeout(r, 25));
    await settle(engine, 'full-1');
    await engine.stop();
    expect(warnings.join('\n')).toMatch(/taking messages goes on: ENOSPC cleared/);
    await expectTakenOnce(paths, 'full-1', name);
  });

  it.each([
    ['the disk is full', 'ENOSPC|no space'],
    ['the inbox is read-only', 'EROFS|read-only'],
  ])('keeps a reply undelivered in the journal when %s, and delivers it once after a restart', async (fault, error) => {
    const paths = await tempWorkspace();
    const conductor = paths.inbox('conductor').root;
    let undo: () => unknown;
    if (fault.includes('full')) {
      await mountTmpfs(conductor, 64);
      for (const d of ['new', 'cur', 'tmp', 'rejected']) await fs.mkdir(path.join(conductor, d));
    }
    const warnings: string[] = [];
    let engine = await start(paths, warnings);
    if (fault.includes('full')) undo = await fill(conductor);
    else undo = makeReadOnly(conductor);
    const name = await handoff(paths, 'out-1');
    for (let i = 0; i < 50 && !warnings.some((w) => w.includes('delivering replies is waiting')); i++) {
      await engine.scan();
      await new Promise((r) => setTimeout(r, 10));
    }
    // Said once by the fault gate, naming the reply and its recipient; the reply is held with why.
    expect(warnings.find((w) => w.includes('delivering replies is waiting'))).toMatch(new RegExp(`could not deliver PLAN out-1\\.1 to conductor: .*(${error})`, 'i'));
    expect(engine.run('out-1')?.undelivered).toHaveLength(1);
    expect(Object.values(engine.run('out-1')?.held ?? {}).join('')).toMatch(new RegExp(`to conductor: .*(${error})`, 'i'));

    await undo();
    await engine.stop();
    engine = await start(paths, warnings);
    await settle(engine, 'out-1');
    await engine.stop();
    await expectTakenOnce(paths, 'out-1', name);
  });

  it('applies a message once when its own inbox is read-only, and moves it to cur/ once writable again', async () => {
    const paths = await tempWorkspace();
    const warnings: string[] = [];
    const engine = await start(paths, warnings);
    const name = await handoff(paths, 'ro-1');
    const undo = makeReadOnly(paths.inbox(ENGINEER).root);
    await settle(engine, 'ro-1');
    await engine.scan();
    expect(warnings.join('\n')).toMatch(/EROFS|read-only/i);
    expect(await fs.readdir(paths.inbox(ENGINEER).new)).toContain(name);
    expect(await appliedTimes(paths, 'ro-1', name)).toBe(1);

    undo();
    await engine.scan();
    await engine.stop();
    await expectTakenOnce(paths, 'ro-1', name);
  });
});

describe('faults without special mounts', () => {
  it.skipIf(!existsSync(path.join(packageRoot(), 'dist', 'bundle', 'main.js')))(
    'refuses a second engine on the same workspace, naming the first one’s pid',
    async () => {
      const paths = await tempWorkspace();
      const first = await startResponder('engine', paths.root);
      try {
        const second = spawn(process.execPath, [cliPath(), 'start', '--headless', '--workspace', paths.root], { stdio: ['ignore', 'pipe', 'pipe'] });
        let err = '';
        second.stderr.on('data', (b: Buffer) => (err += b.toString()));
        const code = await new Promise<number | null>((r) => second.on('exit', (c) => r(c)));
        expect(code).toBe(1);
        expect(err).toContain(`another engine is running on this workspace (pid ${first.child.pid}`);
      } finally {
        await stopProcess(first.child);
      }
    },
  );

  it('leaves a message file deleted while being read to its writer: no rejection, no run, no crash', async () => {
    const paths = await tempWorkspace();
    const config = await loadConfig(paths.root);
    await handoff(paths, 'gone-1');
    const [entry] = await listInbox(paths, ENGINEER);
    await fs.rm(entry!.path);
    const got = await receive(config, ENGINEER, entry!);
    expect(got).toMatchObject({ ok: false, retry: true });
    expect(got.ok ? '' : got.reason).toMatch(/gone/);

    const warnings: string[] = [];
    const engine = await start(paths, warnings);
    await engine.scan();
    await engine.stop();
    expect(engine.runs()).toEqual([]);
    expect(await fs.readdir(paths.inbox(ENGINEER).rejected)).toEqual([]);
  });
});
