import { parseMessage } from '../protocol/parse.js';
import { ALL } from '../protocol/schema.js';
import type { Message } from '../protocol/schema.js';
import type { Config } from '../workspace/config-schema.js';
import { describeParseError } from '../mailbox/check.js';
import { resolveMember } from '../workspace/team.js';
import type { InboxEntry } from './inbox-file.js';
import type { ShutdownRequest, TaskAssignment } from './protocol.js';
import { classify } from './protocol.js';
import type { Roster } from './roster.js';

/** What one entry of our inbox file is, for the engine. */
export type Decision =
  | { kind: 'message'; message: Message; from: string; key: string }
  | { kind: 'reject'; reason: string }
  | { kind: 'shutdown'; request: ShutdownRequest }
  | { kind: 'task'; assignment: TaskAssignment }
  | { kind: 'spawn-prompt'; text: string };

const VERDICT = /^[\s#>*_`~-]*(APPROVED|REJECTED)(?![A-Za-z0-9_])/i;

/**
 * Reads one entry (DESIGN §6): its text is a team message in the seed's format from the
 * entry's sender (the role that sender plays). Claude Code's structured messages are
 * recognised: `plan_approval_response` decides the plan, and only from the lead;
 * `shutdown_request` (from the lead) and `task_assignment` are the teammate's own
 * business. The lead's first plain text in the file is its spawn prompt; a plain
 * APPROVED/REJECTED from whoever plays the conductor decides the plan. Anything else is
 * rejected with a reason a person can act on. Pure: `leadBefore` says whether an earlier
 * entry of the file came from the lead.
 */
export function decide(entry: InboxEntry, key: string, ctx: { config: Config; roster: Roster; leadBefore: boolean }): Decision {
  const { config, roster } = ctx;
  const me = config.engine.member;
  const fromLead = entry.from === roster.lead;
  const role = roster.roleOf(entry.from);
  const c = classify(entry.text);
  if (c.kind === 'shutdown') {
    return fromLead ? { kind: 'shutdown', request: c.request } : { kind: 'reject', reason: `shutdown_request from ${entry.from}: only the lead (${roster.lead}) may ask teamstate to shut down` };
  }
  if (c.kind === 'task') return { kind: 'task', assignment: c.assignment };
  if (c.kind === 'protocol') {
    return { kind: 'reject', reason: c.problem ? `Claude Code's ${c.problem}` : `Claude Code's ${c.type} has no meaning for teamstate's ${me}; kept here, nothing was done` };
  }
  if (c.kind === 'plan-response' && !fromLead) {
    return { kind: 'reject', reason: `plan_approval_response from ${entry.from}: Claude Code honours it only from the lead (${roster.lead}); the plan is still waiting` };
  }
  if (role === undefined) return { kind: 'reject', reason: `the sender "${entry.from}" is not a name teamstate can use (letters, digits, - and _)` };

  const parsed = parseMessage(entry.text, { aliases: config.aliases, defaultTo: me });
  if (!parsed.ok) {
    if (role === 'conductor' && VERDICT.test(entry.text)) {
      return message({ priority: 'MEDIUM', type: 'STATUS', to: [me], from: role, body: entry.text.trim() }, role, key);
    }
    if (fromLead && !ctx.leadBefore) return { kind: 'spawn-prompt', text: entry.text };
    return {
      kind: 'reject',
      reason: `${describeParseError(parsed.error)} (a message from ${entry.from} at ${entry.timestamp}); write it in the team's format ([PRIORITY:], [TYPE:] and [TO:] headers, then the body)${role === 'conductor' ? ', or begin it with APPROVED or REJECTED: to decide a plan' : ''}`,
    };
  }
  const m = parsed.value;
  const forMe = m.to.some((t) => t.toUpperCase() === ALL || resolveMember(t, config) === me);
  if (!forMe) return { kind: 'reject', reason: `addressed to ${m.to.join(', ')}, not ${me}; send it to their inbox instead` };
  return message({ ...m, from: role }, role, key);
}

function message(m: Message, from: string, key: string): Decision {
  return { kind: 'message', message: m, from, key: m.id !== undefined ? `id:${m.id}` : `cc:${key}` };
}
