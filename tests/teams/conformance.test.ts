import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe } from 'vitest';
import { TeamMailbox } from '../../src/teams/mailbox.js';
import { SeatPaths, TeamPaths } from '../../src/teams/paths.js';
import { Roster } from '../../src/teams/roster.js';
import { loadConfig } from '../../src/workspace/config.js';
import { mailboxConformance } from '../mailbox/conformance.js';
import { SimTeam } from './sim-team.js';

describe('TeamMailbox', () => {
  mailboxConformance("Claude Code agent team's", async () => {
    const team = await SimTeam.create({ members: ['backend-engineer', 'analyst', 'sentinel', 'breaker'] });
    const config = await loadConfig(team.workspaceDir);
    const paths = team.workspace;
    const teamPaths = new TeamPaths(team.home, team.team);
    const taken = new Map<string, string[]>();
    const inboxOf = (member: string) => team.inbox(member === 'conductor' ? 'team-lead' : member);
    return {
      open: () =>
        new TeamMailbox({
          paths,
          config,
          team: teamPaths,
          seatPaths: new SeatPaths(paths, team.team, 'backend-engineer'),
          seat: { name: 'backend-engineer', team: team.team, planModeRequired: false },
          roster: new Roster(teamPaths.configFile, config),
        }),
      send: async (text) => void (await team.write('backend-engineer', { from: 'breaker', text })),
      received: async (member) => [...(taken.get(member) ?? []), ...(await team.read(member === 'conductor' ? 'team-lead' : member)).map((e) => e.text)],
      consume: async (member, how) => {
        const file = inboxOf(member);
        const texts = (await team.read(member)).map((e) => e.text);
        taken.set(member, [...(taken.get(member) ?? []), ...texts]);
        if (how === 'move') await fs.rename(file, path.join(team.root, `${member}-${Date.now()}.json`));
        else await fs.rm(file, { force: true });
      },
      rejected: async () => {
        const dir = paths.inbox('backend-engineer').rejected;
        const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
        return Promise.all(
          names.map(async (n) => ({
            text: (JSON.parse(await fs.readFile(path.join(dir, n), 'utf8')) as { text: string }).text,
            reason: (await fs.readFile(path.join(dir, `${n}.reason.txt`), 'utf8')).split("\n\nFrom Claude Code's inbox")[0]!,
          })),
        );
      },
      close: () => team.cleanup(),
    };
  });
});
