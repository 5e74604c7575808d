import type { Result } from '../errors.js';
import { err, ok } from '../errors.js';
import { ALL } from '../protocol/schema.js';
import type { Message } from '../protocol/schema.js';
import type { Config } from './config-schema.js';

/** The sender and the resolved recipients of a message. */
export interface Addresses {
  from: string;
  recipients: string[];
}

/** The member a name (or alias) stands for, or undefined when it is neither. Case-insensitive. */
export function resolveMember(name: string, config: Pick<Config, 'members' | 'aliases'>): string | undefined {
  const n = name.trim().toLowerCase();
  if (config.members.includes(n)) return n;
  const target = config.aliases[n];
  return target !== undefined && config.members.includes(target) ? target : undefined;
}

/** "members: a, b (aliases: x → a)" for error messages. */
export function describeTeam(config: Pick<Config, 'members' | 'aliases'>): string {
  const aliases = Object.entries(config.aliases).map(([a, t]) => `${a} → ${t}`);
  return `members are ${config.members.join(', ')}${aliases.length ? ` (aliases: ${aliases.join(', ')})` : ''}`;
}

/**
 * Resolves the sender and recipients of `m` against the team: aliases become members,
 * `ALL` becomes every member but the sender, duplicates go. The sender is `m.from`, else
 * `opts.sender` (from the file name, say). An unknown or missing sender or recipient is an
 * error naming the members: a message never creates a new inbox.
 */
export function checkAddresses(m: Message, config: Config, opts: { sender?: string } = {}): Result<Addresses, string> {
  const fromName = m.from ?? opts.sender;
  if (fromName === undefined || fromName.trim() === '') {
    return err(`no sender: add a [FROM: name] header or name the file <sender>--<anything>; ${describeTeam(config)}`);
  }
  const from = resolveMember(fromName, config);
  if (from === undefined) return err(`unknown sender "${fromName}"; ${describeTeam(config)}`);
  const recipients: string[] = [];
  const add = (name: string): void => {
    if (!recipients.includes(name)) recipients.push(name);
  };
  for (const to of m.to) {
    if (to.toUpperCase() === ALL) {
      for (const member of config.members) if (member !== from) add(member);
      continue;
    }
    const member = resolveMember(to, config);
    if (member === undefined) return err(`unknown recipient "${to}"; ${describeTeam(config)}`);
    add(member);
  }
  if (recipients.length === 0) return err(`no recipients: TO names only the sender "${from}"`);
  return ok({ from, recipients });
}
