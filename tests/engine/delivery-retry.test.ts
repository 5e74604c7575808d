import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunStates } from '../../src/engine/read.js';
import { summarize } from '../../src/engine/view.js';
import { Engine } from '../../src/engine/engine.js';
import { ScriptedTeam } from '../../src/sim/scripted-team.js';
import type { WorkspacePaths } from '../../src/workspace/paths.js';
import { runCli } from '../workspace/cli-helpers.js';
import { tempDir } from '../workspace/helpers.js';
import { tempWorkspace } from './helpers.js';

/** Replaces `member`'s new/ with a symlink to a folder outside the workspace; returns the undo. */
async function breakInbox(paths: WorkspacePaths, member: string, outside: string): Promise<() => Promise<void>> {
  const dir = paths.inbox(member).new;
  const kept = await fs.readdir(dir);
  const aside = `${dir}.aside`;
  await fs.rename(dir, aside);
  await fs.symlink(outside, dir);
  return async () => {
    await fs.rm(dir);
    await fs.rename(aside, dir);
    expect(await fs.readdir(dir)).toEqual(kept);
  };
}

const typesIn = async (paths: WorkspacePaths, member: string): Promise<string[]> => {
  const dir = paths.inbox(member).new;
  const texts = await Promise.all((await fs.readdir(dir)).map((n) => fs.readFile(path.join(dir, n), 'utf8')));
  return texts.map((t) => /\[TYPE: ([A-Z_]+)\]/.exec(t)?.[1] ?? '?');
};

/** The delivery markers kept in the workspace. */
const markers = async (paths: WorkspacePaths): Promise<string[]> =>
  (await fs.readdir(paths.deliveriesDir, { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile()).map((e) => e.name);

async function eventually(what: string, cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('undelivered replies', () => {
  it('should be retried with backoff while the engine runs, for a running and a finished run, with runs and show saying why until delivered', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.project = '.';
    });
    const outside = await tempDir('teamstate-outside-');
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    const team = new ScriptedTeam({ paths, tasks: ['t1'], conductor: 'scripted' });
    try {
      // The conductor's new/ is a link when the PLAN is sent: held, with why, not shown as sent.
      let repair = await breakInbox(paths, 'conductor', outside);
      await team.tick();
      await eventually('the PLAN to be held', async () => {
        await engine.scan();
        return Object.keys(engine.run('t1')?.held ?? {}).length === 1;
      });
      const [summary] = (await readRunStates(paths)).map((s) => summarize(s));
      expect(summary!.undelivered).toMatchObject([{ type: 'PLAN', to: 'conductor', why: expect.stringContaining('inboxes/conductor/new is a symbolic link') }]);
      const runs = await runCli(['runs', '--workspace', paths.root], { cwd: paths.root, fromSource: true });
      expect(runs.stdout).toMatch(/! PLAN to conductor not delivered yet: /);
      const json = await runCli(['runs', '--json', '--workspace', paths.root], { cwd: paths.root, fromSource: true });
      expect(JSON.parse(json.stdout)[0].undelivered[0].why).toMatch(/^to conductor: inboxes\/conductor\/new is a symbolic link/);
      expect(await fs.readdir(outside)).toEqual([]);

      // Repaired while the engine runs: delivered by the retry alone, with no scan and no restart.
      await repair();
      await eventually('the PLAN to be retried', async () => (await typesIn(paths, 'conductor')).includes('PLAN') && engine.run('t1')!.undelivered.length === 0);
      expect(engine.run('t1')!.held).toBeUndefined();

      // Broken again just before the run finishes: the completion STATUS is held, the run is
      // done but stays unfinished in the store (a restart would deliver it) until it goes out.
      for (let i = 0; !(await typesIn(paths, 'sentinel')).filter((t) => t === 'BUG_FIX').length || (await typesIn(paths, 'sentinel')).filter((t) => t === 'BUG_FIX').length < 2; i++) {
        if (i > 2000) throw new Error('the run did not reach the second BUG_FIX');
        await team.tick();
        await engine.scan();
        await new Promise((r) => setTimeout(r, 5));
      }
      repair = await breakInbox(paths, 'conductor', outside);
      await eventually('the run to finish with its STATUS held', async () => {
        await team.tick();
        await engine.scan();
        const s = engine.run('t1')!;
        return s.snapshot.status === 'done' && s.undelivered.some((o) => o.message.type === 'STATUS' && s.held?.[o.key] !== undefined);
      });
      expect(await engine.core.deps.store.listRuns({ unfinishedOnly: true })).toContain('t1');
      const show = await runCli(['show', 't1', '--workspace', paths.root], { cwd: paths.root, fromSource: true });
      expect(show.stdout).toMatch(/Not delivered yet \(the running engine retries them\):\n {2}- STATUS to conductor, librarian: to conductor: inboxes\/conductor\/new is a symbolic link/);
      expect(show.stdout).toMatch(/→ STATUS \w+ conductor, librarian: .*\[held, not delivered yet: to conductor: inboxes\/conductor\/new is a symbolic link/);
      // --json marks it too, and only it: the PLAN before it went out.
      const shown = JSON.parse((await runCli(['show', 't1', '--json', '--workspace', paths.root], { cwd: paths.root, fromSource: true })).stdout) as { timeline: { dir: string; type: string; held?: string }[] };
      expect(shown.timeline.filter((e) => e.held !== undefined).map((e) => [e.type, e.held])).toEqual([['STATUS', expect.stringMatching(/^to conductor: inboxes\/conductor\/new is a symbolic link/)]]);
      expect(shown.timeline.some((e) => e.dir === 'out' && e.type === 'PLAN')).toBe(true);

      await repair();
      await eventually('the STATUS to be retried', async () => (await typesIn(paths, 'conductor')).includes('STATUS'));
      await eventually('the run to be marked finished', async () => !(await engine.core.deps.store.listRuns({ unfinishedOnly: true })).includes('t1'));
      // The librarian's copy went out at the first try; the retries did not send it again.
      expect((await typesIn(paths, 'conductor')).filter((t) => t === 'STATUS')).toHaveLength(1);
      const librarian = paths.inbox('librarian').new;
      const completions = (await Promise.all((await fs.readdir(librarian)).map((n) => fs.readFile(path.join(librarian, n), 'utf8')))).filter((t) => t.includes('Task complete'));
      expect(completions).toHaveLength(1);
      expect(await fs.readdir(outside)).toEqual([]);
      // Replies staged ahead kept no marker; those held went the long way, and their markers go once the journal says delivered.
      await eventually('the delivery markers to be dropped', async () => (await markers(paths)).length === 0);
    } finally {
      await engine.stop();
    }
  }, 180_000);
});
