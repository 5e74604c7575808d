import type { RunEvent } from './context.js';

/** Who may send each message event (backend-engineer.md, "Receiving messages"). */
export const SENDERS: Partial<Record<RunEvent['type'], readonly string[]>> = {
  HANDOFF: ['analyst'],
  PLAN_DECISION: ['conductor'],
  CANCEL: ['conductor'],
  PASS: ['sentinel'],
  FAIL: ['sentinel'],
  BUG: ['breaker'],
  CLEAR: ['breaker'],
};

/** Whether `from` may send this event. Events without a rule (notices, people's actions) pass. */
export function senderAllowed(type: string, from: string): boolean {
  const allowed = SENDERS[type as RunEvent['type']];
  return !allowed || allowed.includes(from);
}
