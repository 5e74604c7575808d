import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startResponder, stopProcess } from '../../bench/lib/processes.js';
import { readJournal } from '../../src/engine/read.js';
import { Engine } from '../../src/engine/engine.js';
import { summarize } from '../../src/engine/view.js';
import type { WorkspacePaths } from '../../src/workspace/paths.js';
import { runCli } from '../workspace/cli-helpers.js';
import { HANDOFF_BODY, drop, settle, tempWorkspace } from './helpers.js';

const ENGINEER = 'backend-engineer';
const handoff = (paths: WorkspacePaths, task: string) => drop(paths, ENGINEER, { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task, body: HANDOFF_BODY });
const approve = (paths: WorkspacePaths, task: string) => drop(paths, ENGINEER, { from: 'conductor', type: 'STATUS', priority: 'HIGH', task, body: 'APPROVED' });
const walOf = (paths: WorkspacePaths) => path.join(paths.runsDir, '.wal.jsonl');

/** Waits (real time, generous) for `cond` while an engine runs on its own. */
async function waitFor(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 2400; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('an engine over a damaged write-ahead log', () => {
  it('starts with the run that lost records in the damage quarantined alone, says where and what to do, and the rest go on', async () => {
    const paths = await tempWorkspace('instant');
    const first = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    await handoff(paths, 'w1');
    await handoff(paths, 'w2');
    await settle(first);
    // What a crash leaves: the log still holding the batches since its last checkpoint.
    const wal = await fs.readFile(walOf(paths));
    await first.stop();
    // The log is damaged in w1's first entry (its created record and the handoff's, appended together), and a power loss took w1's unsynced journal.
    const at = wal.indexOf('"r":"w1","s":1,');
    expect(at).toBeGreaterThan(0);
    const damaged = Buffer.from(wal);
    damaged.fill(0x20, at, at + 10);
    await fs.writeFile(walOf(paths), damaged);
    await fs.rm(paths.run('w1').journal);

    const said: string[] = [];
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, log: (l) => said.push(l) });
    try {
      const log = said.join('\n');
      expect(log).toContain(`warning: the write-ahead log ${walOf(paths)} is damaged`);
      expect(log).toContain(`kept in ${walOf(paths)}.damaged`);
      expect(log).toMatch(/missing from run w1 \(records 1–2 of w1\/journal\.jsonl\): each such run is quarantined alone and the rest start; restore its journal from a backup/);
      const w1 = engine.run('w1')!;
      expect(w1.quarantined?.reason).toMatch(/seq \d+ where 1 was expected \(gap\)/);
      expect(summarize(w1)).toMatchObject({ state: 'quarantined' });
      await approve(paths, 'w2');
      await settle(engine);
      expect(engine.run('w2')!.snapshot.value).toBe('verifying');
    } finally {
      await engine.stop();
    }
    // The log as found stays for a person; `runs` shows the quarantine.
    expect(await fs.readFile(`${walOf(paths)}.damaged`)).toEqual(damaged);
    const runs = await runCli(['runs', '--workspace', paths.root], { cwd: paths.root });
    expect(runs.stdout + runs.stderr).toMatch(/w1 .*quarantined/);
  });

  it('says once that the log was deleted under it, goes on, and loses nothing across a SIGKILL right after (a real engine process)', async () => {
    const paths = await tempWorkspace('instant', (c) => (c.scanIntervalMs = 100));
    const { child } = await startResponder('engine', paths.root);
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    try {
      await handoff(paths, 'd1');
      await waitFor(async () => (await fs.readdir(paths.inbox('conductor').new)).some((n) => !n.startsWith('.')), 'the PLAN');
      await fs.rm(walOf(paths));
      await approve(paths, 'd1');
      const approved = async () => (await readJournal(paths, 'd1')).records.some((r) => r.kind === 'event' && r.source.kind === 'message' && r.source.type === 'STATUS');
      await waitFor(approved, 'the approval to be journaled');
      await waitFor(() => out.includes('was deleted or replaced under the engine'), 'the deletion to be said');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    } finally {
      await stopProcess(child);
    }
    expect(out.match(/was deleted or replaced under the engine/g)).toHaveLength(1);
    expect(out).toContain(`${walOf(paths)} was deleted or replaced under the engine: a new one is started, and the journals are made durable now, so nothing is lost`);
    const said: string[] = [];
    const again = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, log: (l) => said.push(l) });
    try {
      expect(said.join('\n')).not.toMatch(/write-ahead log/);
      expect(again.run('d1')!.quarantined).toBeUndefined();
      expect(again.run('d1')!.snapshot.value).not.toEqual({ awaitingApproval: 'waiting' });
    } finally {
      await again.stop();
    }
  });
});
