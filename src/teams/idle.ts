import type { Message } from '../protocol/schema.js';
import { firstLine } from '../protocol/text.js';
import type { RunState } from '../engine/run-state.js';

/** What an idle_notification after a message says. */
export interface IdleNotice {
  summary: string;
  completedTaskId?: string;
  completedStatus?: 'resolved' | 'blocked' | 'failed';
  failureReason?: string;
}

const clip = (s: string, n = 120): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * Whether sending `message` to `role` finishes a piece of work after which the teammate
 * waits on others, and what the idle_notification to the lead then says: the plan sent
 * (waits for approval), the work handed to sentinel (waits for verdicts), a fix sent for
 * re-verification, an escalation (waits for the lead), and the end of the run (with
 * completedTaskId and completedStatus). Pure; `state` is the run's, when known.
 */
export function idleAfter(message: Message, role: string, state: RunState | undefined): IdleNotice | undefined {
  const context = state?.snapshot.context as { task?: { id?: string; subject?: string } } | undefined;
  const task = context?.task?.subject ?? message.task ?? 'the task';
  const taskId = context?.task?.id ?? message.task;
  const line = firstLine(message.body).replace(/^#+\s*/, '');
  if (role === 'conductor' && message.type === 'PLAN') return { summary: clip(`plan for "${task}" sent; waiting for approval`) };
  if (role === 'sentinel' && message.type === 'HANDOFF') return { summary: clip(`implemented "${task}"; waiting for sentinel and breaker`) };
  if (role === 'sentinel' && message.type === 'BUG_FIX') return { summary: clip(`${line}; waiting for sentinel to re-verify`) };
  if (role !== 'conductor') return undefined;
  const ended = endOf(message, state);
  if (ended === 'done') return { summary: clip(`completed "${task}"`), ...(taskId ? { completedTaskId: taskId } : {}), completedStatus: 'resolved' };
  if (ended === 'cancelled') return { summary: clip(`stopped "${task}"`), ...(taskId ? { completedTaskId: taskId } : {}), completedStatus: 'failed', failureReason: clip(message.body.replace(/^#+[^\n]*\n?/, '').trim() || line) };
  if (message.type === 'REQUEST' && message.priority === 'CRITICAL') return { summary: clip(`needs your decision: ${line}`) };
  return undefined;
}

/** How the run ended, when this message is its last word: from its state, else from the message. */
function endOf(message: Message, state: RunState | undefined): 'done' | 'cancelled' | undefined {
  if (message.type !== 'STATUS') return undefined;
  if (state && state.snapshot.status === 'done') {
    const last = state.undelivered.at(-1)?.message.id ?? message.id;
    if (last !== message.id) return undefined;
    return state.snapshot.value === 'cancelled' ? 'cancelled' : 'done';
  }
  if (/^#+\s*Task complete\b/i.test(message.body)) return 'done';
  if (/^#+\s*Cancelled\b/i.test(message.body)) return 'cancelled';
  return undefined;
}
