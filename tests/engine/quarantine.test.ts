import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunStates } from '../../src/engine/read.js';
import { Engine } from '../../src/engine/engine.js';
import { summarize } from '../../src/engine/view.js';
import type { WorkspacePaths } from '../../src/workspace/paths.js';
import { runCli } from '../workspace/cli-helpers.js';
import { HANDOFF_BODY, drop, settle, tempWorkspace } from './helpers.js';

const ENGINEER = 'backend-engineer';
const handoff = (paths: WorkspacePaths, task: string) => drop(paths, ENGINEER, { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task, body: HANDOFF_BODY });
const approve = (paths: WorkspacePaths, task: string) => drop(paths, ENGINEER, { from: 'conductor', type: 'STATUS', priority: 'HIGH', task, body: 'APPROVED' });

async function twoRuns(): Promise<{ paths: WorkspacePaths; engine: Engine; warnings: string[] }> {
  const paths = await tempWorkspace('instant');
  const warnings: string[] = [];
  const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, log: (l) => warnings.push(l) });
  await handoff(paths, 'q1');
  await handoff(paths, 'q2');
  await settle(engine);
  return { paths, engine, warnings };
}

/** The reasons kept beside rejected messages. */
async function rejectedReasons(paths: WorkspacePaths): Promise<string[]> {
  const dir = paths.inbox(ENGINEER).rejected;
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith('.reason.txt'));
  return Promise.all(names.map((n) => fs.readFile(path.join(dir, n), 'utf8')));
}

/** Flips one byte in the middle of a file, keeping its length. */
async function flipMiddle(file: string): Promise<void> {
  const buf = await fs.readFile(file);
  // Inside the second record's payload: records after it stay intact, so this is damage, not a torn tail.
  const second = buf.indexOf(0x0a) + 1;
  const at = second + 20;
  buf[at] = buf[at] === 0x61 ? 0x62 : 0x61;
  await fs.writeFile(file, buf);
}

describe('a run whose journal vanishes or turns corrupt', () => {
  it.each([
    ['its folder is deleted', (p: WorkspacePaths) => fs.rm(p.run('q1').dir, { recursive: true }), /was deleted/],
    ['all of runs/ is deleted', (p: WorkspacePaths) => fs.rm(p.runsDir, { recursive: true }), /was deleted/],
    ['a byte mid-journal is flipped', (p: WorkspacePaths) => flipMiddle(p.run('q1').journal), /corrupt at line \d+/],
  ])('is quarantined when %s under the running engine: no more messages, kept with the reason, shown so', async (_what, damage, reason) => {
    const { paths, engine, warnings } = await twoRuns();
    try {
      await damage(paths);
      const before = await fs.readFile(paths.run('q1').journal).catch(() => undefined);
      const name = await approve(paths, 'q1');
      await settle(engine);
      const q1 = engine.run('q1')!;
      expect(q1.quarantined?.reason, warnings.join('\n')).toMatch(reason);
      expect(summarize(q1)).toMatchObject({ state: 'quarantined', waitsOn: 'person' });
      expect(warnings.join('\n')).toMatch(/run q1 quarantined: .*takes no more messages/);
      // Nothing more was written to it, and the approval is kept, with why.
      expect(await fs.readFile(paths.run('q1').journal).catch(() => undefined)).toEqual(before);
      expect(await fs.readdir(paths.inbox(ENGINEER).rejected)).toContain(name);
      expect((await rejectedReasons(paths)).join('\n')).toMatch(/run q1 is quarantined/);
      expect(q1.snapshot.value).toEqual({ awaitingApproval: 'waiting' });
      // A second message for it is kept aside too; no run is created again from scratch.
      await approve(paths, 'q1');
      await settle(engine);
      expect(await rejectedReasons(paths)).toHaveLength(2);
      // The other run is untouched by q1's damage unless its own journal went too.
      if (await fs.stat(paths.run('q2').journal).then(() => true, () => false)) {
        await approve(paths, 'q2');
        await settle(engine);
        expect(engine.run('q2')!.snapshot.value).toBe('verifying');
      }
    } finally {
      await engine.stop();
    }
    // The CLI and the next start see the quarantine too.
    const listed = (await readRunStates(paths)).find((s) => s.runId === 'q1');
    expect(listed?.quarantined?.reason).toMatch(reason);
    const again = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      expect(again.run('q1')?.quarantined?.reason).toMatch(reason);
    } finally {
      await again.stop();
    }
  });

  it.each([
    ['a byte flipped mid-journal, no snapshot', async (p: WorkspacePaths) => (await fs.rm(p.run('q1').snapshot), flipMiddle(p.run('q1').journal)), /corrupt at line/],
    ['an emptied journal', (p: WorkspacePaths) => fs.truncate(p.run('q1').journal, 0), /journal .* is empty/],
    ['a deleted journal', (p: WorkspacePaths) => fs.rm(p.run('q1').journal), /journal .* is missing/],
  ])('is quarantined alone at start with %s; the rest of the workspace starts and works', async (_what, damage, reason) => {
    const { paths, engine } = await twoRuns();
    await engine.stop();
    await damage(paths);
    const warnings: string[] = [];
    const next = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, log: (l) => warnings.push(l) });
    try {
      expect(next.run('q1')?.quarantined?.reason).toMatch(reason);
      expect(warnings.join('\n')).toMatch(/run q1 quarantined/);
      await approve(paths, 'q1');
      await approve(paths, 'q2');
      await settle(next);
      expect(next.run('q2')!.snapshot.value).toBe('verifying');
      expect((await rejectedReasons(paths)).join('\n')).toMatch(/run q1 is quarantined/);
    } finally {
      await next.stop();
    }
  });

  it('is found before an append when the damage is mid-journal and the snapshot is still valid', async () => {
    const { paths, engine } = await twoRuns();
    await engine.stop();
    const journal = paths.run('q1').journal;
    await flipMiddle(journal);
    const damaged = await fs.readFile(journal);
    const next = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      await approve(paths, 'q1');
      await settle(next);
      expect(next.run('q1')?.quarantined?.reason).toMatch(/corrupt at line/);
      expect(await fs.readFile(journal)).toEqual(damaged);
    } finally {
      await next.stop();
    }
  });

  it('is shown as quarantined by `runs` and `show`, and `replay` of an empty or missing journal is an error that says what to do', async () => {
    const { paths, engine } = await twoRuns();
    await engine.stop();
    await fs.truncate(paths.run('q1').journal, 0);
    await fs.rm(paths.run('q2').journal);
    const cli = (args: string[]) => runCli([...args, '--workspace', paths.root], { cwd: paths.root, fromSource: true });
    const runs = await cli(['runs']);
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.stdout).toMatch(/q1 .*quarantined/);
    const shown = await cli(['show', 'q1']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/Quarantined: its journal .* is empty/);
    for (const id of ['q1', 'q2']) {
      const r = await cli(['replay', id]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(id === 'q1' ? /holds no records .*restore it from a backup/ : /does not exist/);
    }
  });
});
