import type { Message, MessageType, Priority } from '../protocol/schema.js';
import { messageSchema } from '../protocol/schema.js';
import type { Config } from '../workspace/config-schema.js';
import { checkAddresses } from '../workspace/team.js';

/** The compose form's fields, as typed. */
export interface Draft {
  from: string;
  to: string;
  type: MessageType;
  priority: Priority;
  task: string;
  body: string;
}

export const FIELDS = ['from', 'to', 'type', 'priority', 'task', 'body'] as const;
export type Field = (typeof FIELDS)[number];

/** A fresh draft: from the conductor (what a person at the UI usually speaks as), to this engine's member. */
export function emptyDraft(config: Config, preset: { to?: string; task?: string } = {}): Draft {
  const from = config.members.includes('conductor') ? 'conductor' : (config.members.find((m) => m !== config.engine.member) ?? config.members[0]!);
  return { from, to: preset.to ?? config.engine.member, type: 'STATUS', priority: 'MEDIUM', task: preset.task ?? '', body: '' };
}

/**
 * The draft as a message, or what is wrong with it: the message schema, then the team's
 * addresses (the same checks `teamstate send` and the engine make), so the form says as
 * you type what a send would refuse.
 */
export function checkDraft(d: Draft, config: Config): { ok: true; message: Message; recipients: string[] } | { ok: false; field: Field; error: string } {
  const candidate = {
    from: d.from.trim().toLowerCase(),
    to: d.to
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean)
      .map((t) => (t.toUpperCase() === 'ALL' ? 'ALL' : t.toLowerCase())),
    type: d.type,
    priority: d.priority,
    body: d.body.replace(/\\n/g, '\n'),
    ...(d.task.trim() ? { task: d.task.trim() } : {}),
  };
  const parsed = messageSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = (FIELDS as readonly string[]).includes(String(issue.path[0])) ? (issue.path[0] as Field) : 'body';
    return { ok: false, field, error: `${field}: ${field === 'to' && candidate.to.length === 0 ? 'name at least one member, or ALL' : issue.message}` };
  }
  const addresses = checkAddresses(parsed.data, config);
  if (!addresses.ok) return { ok: false, field: addresses.error.includes('sender') ? 'from' : 'to', error: addresses.error };
  if (!parsed.data.body.trim()) return { ok: false, field: 'body', error: 'body: write something (\\n starts a new line)' };
  return { ok: true, message: parsed.data, recipients: addresses.value.recipients };
}

/** The next value of a choice field (type, priority) in direction `dir`. */
export function cycle<T extends string>(options: readonly T[], current: T, dir: 1 | -1): T {
  const i = options.indexOf(current);
  return options[(i + dir + options.length) % options.length]!;
}
