import { promises as fs } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
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
