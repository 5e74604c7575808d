import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import type { Config } from '../../src/workspace/config-schema.js';
import type { WorkspacePaths } from '../../src/workspace/paths.js';
import { editConfig } from '../engine/helpers.js';
import { TeamMailbox } from '../../src/teams/mailbox.js';
import { SeatPaths, TeamPaths } from '../../src/teams/paths.js';
import { Roster } from '../../src/teams/roster.js';
import { loadConfig } from '../../src/workspace/config.js';
import { SimTeam } from './sim-team.js';

let team: SimTeam | undefined;
afterEach(async () => {
  await team?.cleanup();
  team = undefined;
});

describe("the teammate's inbox entries", () => {
  it('rejects a malformed entry once, with its reason, even though marking it read changes it', async () => {
    team = await SimTeam.create({ members: ['backend-engineer', 'analyst'] });
    const config = await loadConfig(team.workspaceDir);
    const teamPaths = new TeamPaths(team.home, team.team);
    const mailbox = new TeamMailbox({
      paths: team.workspace,
      config,
      team: teamPaths,
      seatPaths: new SeatPaths(team.workspace, team.team, 'backend-engineer'),
      seat: { name: 'backend-engineer', team: team.team, planModeRequired: false },
      roster: new Roster(teamPaths.configFile, config),
    });
    await team.locked(team.inbox('backend-engineer'), (entries) => [...entries, { garbage: 1 } as never]);
    const first = await mailbox.claim();
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ ok: false, reason: expect.stringMatching(/not a Claude Code inbox entry/) });
    await mailbox.reject(first[0]!.ref, (first[0] as { reason: string }).reason);
    // Marked read in the team's file, as every taken entry is.
    expect(await team.read('backend-engineer')).toEqual([{ garbage: 1, read: true }]);
    // Read again (the next scan, or a restarted engine): already kept, not rejected again.
    expect(await mailbox.claim()).toEqual([]);
    expect(await mailbox.claim()).toEqual([]);
    const rejected = await fs.readdir(team.workspace.inbox('backend-engineer').rejected);
    expect(rejected.filter((n) => n.endsWith('.json'))).toHaveLength(1);
    expect(rejected.filter((n) => n.endsWith('.reason.txt'))).toHaveLength(1);
  });
});

describe('an entry whose [ID:] was already applied', () => {
  const handoff = (body: string) => ['[PRIORITY: HIGH]', '[TYPE: HANDOFF]', '[TO: builder]', '[TASK: t1]', '[ID: h-1]', '', body, '', '[ACTION NEEDED: Use this map]'].join('\n');
  const report = '## ANALYST REPORT — signup\n### FILES IN SCOPE (ordered by edit sequence)\n1. app/models/User.py — the User model';

  it('should be kept in rejected/ with its reason when its text says something else, and taken silently when it is the same message sent again', async () => {
    team = await SimTeam.create({ members: ['backend-engineer', 'analyst', 'sentinel', 'breaker'] });
    await editConfig(team.workspace, (c) => {
      c.project = team!.project;
      c.git = { worktrees: false };
    });
    const config = await loadConfig(team.workspaceDir);
    const teamPaths = new TeamPaths(team.home, team.team);
    const make = (paths: WorkspacePaths, cfg: Config) =>
      new TeamMailbox({ paths, config: cfg, team: teamPaths, seatPaths: new SeatPaths(paths, team!.team, 'backend-engineer'), seat: { name: 'backend-engineer', team: team!.team, planModeRequired: false }, roster: new Roster(teamPaths.configFile, cfg) });
    const folder = team.workspace.inbox(config.engine.member);
    const journal = async () => (await fs.readFile(team!.workspace.run('t1').journal, 'utf8')).trim().split('\n').length;
    let engine = await Engine.start({ workspaceDir: team.workspaceDir, watch: false, settleMs: 0, mailbox: make });
    let records: number;
    try {
      await team.write('backend-engineer', { from: 'analyst', text: handoff(report) });
      await engine.scan();
      await engine.core.queue.idle();
      expect(engine.run('t1')).toBeDefined();
      records = await journal();
      // The same message again under a later timestamp (a resend): a copy.
      await team.write('backend-engineer', { from: 'analyst', text: handoff(report) });
      await engine.scan();
      await engine.core.queue.idle();
      expect(await journal()).toBe(records);
      expect(await fs.readdir(folder.rejected).catch(() => [])).toEqual([]);
    } finally {
      await engine.stop();
    }
    // After a restart, an edited report under the same ID: another message.
    engine = await Engine.start({ workspaceDir: team.workspaceDir, watch: false, settleMs: 0, mailbox: make });
    try {
      const edited = await team.write('backend-engineer', { from: 'analyst', text: handoff(`${report}\n2. app/services/Mail.py — the mailer`) });
      await engine.scan();
      await engine.core.queue.idle();
      const kept = (await fs.readdir(folder.rejected)).filter((n) => !n.endsWith('.reason.txt'));
      expect(kept).toHaveLength(1);
      expect(JSON.parse(await fs.readFile(path.join(folder.rejected, kept[0]!), 'utf8'))).toMatchObject({ from: 'analyst', text: edited.text, timestamp: edited.timestamp });
      expect(await fs.readFile(path.join(folder.rejected, `${kept[0]!}.reason.txt`), 'utf8')).toMatch(/\[ID: h-1\].*run t1.*other content.*new \[ID:\]/s);
      expect((await team.read('backend-engineer')).every((e) => e.read)).toBe(true);
      // Not applied: the run's journal did not grow.
      expect(await journal()).toBe(records);
    } finally {
      await engine.stop();
    }
  });
});
