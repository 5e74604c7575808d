import * as z from 'zod';

/*
 * Claude Code's structured team messages: a JSON object carried as the `text` of an inbox
 * entry (../shared/reference/claude-code-teams.md §1.5). Parsed here once, at the edge.
 */

export const shutdownRequestSchema = z.object({ type: z.literal('shutdown_request'), requestId: z.string().min(1), from: z.string().optional(), reason: z.string().optional(), timestamp: z.string().optional() }).loose();
export type ShutdownRequest = z.infer<typeof shutdownRequestSchema>;

export const taskAssignmentSchema = z
  .object({ type: z.literal('task_assignment'), taskId: z.union([z.string().min(1), z.number()]).transform(String), subject: z.string().default(''), description: z.string().default(''), assignedBy: z.string().optional(), timestamp: z.string().optional() })
  .loose();
export type TaskAssignment = z.infer<typeof taskAssignmentSchema>;

export const planApprovalResponseSchema = z.object({ type: z.literal('plan_approval_response'), requestId: z.string().min(1), approved: z.boolean(), feedback: z.string().optional() }).loose();

/** Every `type` Claude Code puts in a structured message (snake_case, unlike the seed's types). */
const PROTOCOL_TYPES = new Set([
  'idle_notification',
  'shutdown_request',
  'shutdown_approved',
  'shutdown_rejected',
  'shutdown_response',
  'plan_approval_request',
  'plan_approval_response',
  'permission_request',
  'permission_response',
  'sandbox_permission_request',
  'sandbox_permission_response',
  'task_assignment',
  'mode_set_request',
  'team_permission_update',
]);

/** What an entry's text is. */
export type Classified =
  | { kind: 'shutdown'; request: ShutdownRequest }
  | { kind: 'task'; assignment: TaskAssignment }
  | { kind: 'plan-response' }
  | { kind: 'protocol'; type: string; problem?: string }
  | { kind: 'text' };

/**
 * Tells Claude Code's structured messages from text (the seed's format, or prose). A JSON
 * object whose `type` is one of Claude Code's is structured; a known one that doesn't
 * have its fields says what is wrong (`problem`).
 */
export function classify(text: string): Classified {
  const t = text.trim();
  if (!t.startsWith('{')) return { kind: 'text' };
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    return { kind: 'text' };
  }
  const type = value && typeof value === 'object' ? (value as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !PROTOCOL_TYPES.has(type)) return { kind: 'text' };
  const problem = (e: z.ZodError) => `${type}: ${e.issues.map((i) => `${i.path.join('.') || '(top)'} ${i.message}`).join('; ')}`;
  if (type === 'shutdown_request') {
    const r = shutdownRequestSchema.safeParse(value);
    return r.success ? { kind: 'shutdown', request: r.data } : { kind: 'protocol', type, problem: problem(r.error) };
  }
  if (type === 'task_assignment') {
    const r = taskAssignmentSchema.safeParse(value);
    return r.success ? { kind: 'task', assignment: r.data } : { kind: 'protocol', type, problem: problem(r.error) };
  }
  if (type === 'plan_approval_response') {
    const r = planApprovalResponseSchema.safeParse(value);
    return r.success ? { kind: 'plan-response' } : { kind: 'protocol', type, problem: problem(r.error) };
  }
  return { kind: 'protocol', type };
}

/** `idle_notification`: the teammate finished a piece of work and waits. */
export function idleNotification(from: string, timestamp: string, o: { summary: string; idleReason?: 'available' | 'interrupted' | 'failed'; completedTaskId?: string; completedStatus?: 'resolved' | 'blocked' | 'failed'; failureReason?: string }): string {
  return JSON.stringify({ type: 'idle_notification', from, timestamp, idleReason: o.idleReason ?? 'available', summary: o.summary, completedTaskId: o.completedTaskId, completedStatus: o.completedStatus, failureReason: o.failureReason });
}

/** `shutdown_approved`: the answer to the lead's shutdown_request, after which the process exits. */
export function shutdownApproved(from: string, timestamp: string, requestId: string, paneId: string | undefined, backendType: string | undefined): string {
  return JSON.stringify({ type: 'shutdown_approved', requestId, from, timestamp, paneId, backendType });
}

/** `plan_approval_request`: the plan, for the lead to approve (with --plan-mode-required). */
export function planApprovalRequest(from: string, timestamp: string, o: { planFilePath: string; planContent: string; requestId: string }): string {
  return JSON.stringify({ type: 'plan_approval_request', from, timestamp, planFilePath: o.planFilePath, planContent: o.planContent, requestId: o.requestId });
}
