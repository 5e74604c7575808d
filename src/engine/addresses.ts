import { ALL } from '../protocol/schema.js';
import type { Config } from '../workspace/config-schema.js';
import { resolveMember } from '../workspace/team.js';

/**
 * The members a machine's `to` reaches: roles resolved through the team (aliases too),
 * `ALL` as every member but the engine's own. A role the team doesn't have is left out:
 * a team without a librarian simply gets no STATUS for it.
 */
export function expandRecipients(to: string[], config: Pick<Config, 'members' | 'aliases' | 'engine'>): string[] {
  const out = new Set<string>();
  for (const name of to) {
    if (name.toUpperCase() === ALL) {
      for (const m of config.members) if (m !== config.engine.member) out.add(m);
      continue;
    }
    const member = resolveMember(name, config);
    if (member && member !== config.engine.member) out.add(member);
  }
  return [...out];
}
