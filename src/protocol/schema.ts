import * as z from 'zod';

/** Priorities, lowest first (docs/DESIGN.md §3). */
export const PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Priority = (typeof PRIORITIES)[number];

/**
 * Every message type the team uses (docs/DESIGN.md §3): the backend-engineer's own
 * (PLAN STATUS HANDOFF BUG_FIX REQUEST) and its peers' (REPORT WARNING BUG CLEAR
 * PASS FAIL META).
 */
export const MESSAGE_TYPES = [
  'PLAN',
  'STATUS',
  'HANDOFF',
  'BUG_FIX',
  'REQUEST',
  'REPORT',
  'WARNING',
  'BUG',
  'CLEAR',
  'PASS',
  'FAIL',
  'META',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const DECISIONS = ['APPROVED', 'REJECTED'] as const;
export type Decision = (typeof DECISIONS)[number];

/** The broadcast address. */
export const ALL = 'ALL';

/** Member names: what may appear in FROM/TO and as an inbox folder name. */
export const memberNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a member name: lower-case letters, digits, - and _, at most 64 characters')
  // `all` in any case is the broadcast address (ALL), so it cannot also name a member.
  .refine((n) => n !== 'all', 'a member name other than "all" (ALL is the broadcast address)');

/**
 * One message, as parsed from a file (text or JSON form) and as rendered back.
 * Names are as written (lower-cased); resolving aliases and `ALL` against the team
 * happens in the workspace, which knows the config.
 */
export const messageSchema = z.object({
  priority: z.enum(PRIORITIES),
  type: z.enum(MESSAGE_TYPES),
  to: z.array(z.union([memberNameSchema, z.literal(ALL)])).min(1),
  from: memberNameSchema.optional(),
  task: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a task id: letters, digits, . _ -').optional(),
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'a message id: letters, digits, . _ : -').optional(),
  replyTo: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'a message id: letters, digits, . _ : -').optional(),
  decision: z.enum(DECISIONS).optional(),
  body: z.string(),
  action: z.string().optional(),
});
export type Message = z.infer<typeof messageSchema>;
