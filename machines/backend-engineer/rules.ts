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

/** What each resting state expects, in words, for out-of-place reasons. */
const EXPECTS: Record<string, string> = {
  idle: "the analyst's HANDOFF",
  readingLog: 'the agent log to be read',
  planning: 'the plan to be drafted',
  awaitingApproval: "the conductor's decision on the plan",
  implementing: 'the implementation step',
  subDelegating: "the sub-agents' reports",
  verifying: "sentinel's PASS/FAIL or breaker's BUG/CLEAR",
  fixing: 'the fix in progress',
  logging: 'the agent log entry',
  escalated: "the conductor's decision (APPROVED to go on, REJECTED or CANCEL to stop)",
};

/**
 * Why an event changes nothing in the state it arrived in: a sender who may not say
 * this, or a message that has no place here. Shown to the user beside the message.
 */
export function explainOutOfPlace(state: string, status: string, event: { type: string; from?: string }): string {
  const label = event.type === 'PLAN_DECISION' ? 'a plan decision' : event.type;
  if (status !== 'active') return `the run has ended (${state}); ${label} changes nothing`;
  const from = event.from ?? 'unknown';
  const allowed = SENDERS[event.type as RunEvent['type']];
  if (allowed && !allowed.includes(from)) {
    return `${label} is only accepted from ${allowed.join(' or ')}, not from ${from}`;
  }
  const top = state.split('.')[0] ?? state;
  return `${label} from ${from} has no place while ${top} (waiting for ${EXPECTS[top] ?? 'the current step'})`;
}
