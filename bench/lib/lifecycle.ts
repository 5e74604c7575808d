import type { Message } from '../../src/protocol/schema.js';
import { handoffReport } from '../../src/sim/scenario.js';

/** The member whose inbox the driver drops into (the engine's teammate). */
export const ENGINEER = 'backend-engineer';

/** One measured exchange: the message a peer drops, and the reply that ends the wait. */
export interface Exchange {
  label: string;
  drop: Omit<Message, 'task'>;
  /** The reply: its recipient, type, and (for the completion) text it contains. */
  reply: { to: string; type: string; contains?: string };
}

/**
 * The four exchanges of a benchmark run (the list): handoff→PLAN,
 * approval→HANDOFF to sentinel, BUG→BUG_FIX to sentinel, PASS→completion STATUS.
 */
export const EXCHANGES: Exchange[] = [
  {
    label: 'handoff→PLAN',
    drop: { from: 'analyst', to: [ENGINEER], type: 'HANDOFF', priority: 'MEDIUM', body: '', action: 'Use this map for implementation.' },
    reply: { to: 'conductor', type: 'PLAN' },
  },
  {
    label: 'approval→HANDOFF',
    drop: { from: 'conductor', to: [ENGINEER], type: 'STATUS', priority: 'HIGH', body: 'APPROVED', action: 'Implement the approved plan.' },
    reply: { to: 'sentinel', type: 'HANDOFF' },
  },
  {
    label: 'BUG→BUG_FIX',
    drop: { from: 'breaker', to: [ENGINEER], type: 'BUG', priority: 'HIGH', body: '## BUG-1: signup accepts an email with a NUL byte\n- Severity: HIGH\n- Expected: 422\n- Actual: 500', action: 'Fix this.' },
    reply: { to: 'sentinel', type: 'BUG_FIX' },
  },
  {
    label: 'PASS→STATUS',
    drop: { from: 'sentinel', to: [ENGINEER], type: 'PASS', priority: 'LOW', body: '## SENTINEL: ALL CLEAR\n- Tests: PASS (42 passed)', action: 'Log the task and report completion.' },
    reply: { to: 'conductor', type: 'STATUS', contains: 'Task complete' },
  },
];

/** The message of exchange `i` for `task`, ready to render. */
export function dropFor(task: string, i: number): Message {
  const e = EXCHANGES[i]!;
  return { ...e.drop, task, body: i === 0 ? handoffReport(task) : e.drop.body } as Message;
}

/** Folders the driver watches for replies. */
export const REPLY_MEMBERS = [...new Set(EXCHANGES.map((e) => e.reply.to))];

/** The headers a reply is matched by; read with the same regexes as the scripted team. */
export function replyHeaders(text: string): { type: string; task?: string } {
  const task = /^\[TASK:\s*([^\]]+)\]/m.exec(text)?.[1]?.trim();
  return { type: /^\[TYPE:\s*([A-Z_]+)\]/m.exec(text)?.[1] ?? '', ...(task ? { task } : {}) };
}
