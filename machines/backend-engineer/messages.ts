import type { Issue, Outgoing, RunContext } from './context.js';

/**
 * The bodies of the messages the backend-engineer sends (reference: backend-engineer.md,
 * "Who you message"). Pure functions of the run's context.
 */

const list = (items: string[], empty = '- (none)'): string => (items.length ? items.map((f) => `- ${f}`).join('\n') : empty);

/** The plan, as PLAN to the conductor; HIGH when the analyst flagged landmines. */
export function planMessage(c: RunContext): Outgoing {
  return {
    to: ['conductor'],
    type: 'PLAN',
    priority: c.landmines > 0 ? 'HIGH' : 'MEDIUM',
    body: c.plan ?? '',
    action: 'Approve or reject this plan',
  };
}

export function reminderMessage(c: RunContext): Outgoing {
  return {
    to: ['conductor'],
    type: 'REQUEST',
    priority: 'HIGH',
    body: `Reminder: the plan for "${c.task.subject}" (revision ${c.revision}) is waiting for your decision.`,
    action: 'Approve or reject the plan',
  };
}

export function overdueMessage(c: RunContext): Outgoing {
  return {
    to: ['conductor'],
    type: 'WARNING',
    priority: 'HIGH',
    body: `No decision on the plan for "${c.task.subject}"; the run is now waiting on a person.`,
    action: 'Approve or reject the plan, or ask a person to decide',
  };
}

/** "Implementation done. Test these files." */
export function sentinelHandoff(c: RunContext): Outgoing {
  return {
    to: ['sentinel'],
    type: 'HANDOFF',
    priority: 'MEDIUM',
    body: [`## Implementation done: ${c.task.subject}`, '### Test these files', list(c.files)].join('\n'),
    action: 'Run tests, types, lint and build on these files; broadcast PASS or send FAIL',
  };
}

/** "Built X. Focus on …": where to attack, from the landmines and the kind of change. */
export function breakerHandoff(c: RunContext): Outgoing {
  return {
    to: ['breaker'],
    type: 'HANDOFF',
    priority: c.landmines > 0 ? 'HIGH' : 'MEDIUM',
    body: [`## Built: ${c.task.subject}`, '### Files', list(c.files), '### Focus on', list(attackFocus(c))].join('\n'),
    action: 'Try to break it; send each BUG as you find it, CLEAR when done',
  };
}

export function librarianStatus(c: RunContext): Outgoing {
  return {
    to: ['librarian'],
    type: 'STATUS',
    priority: 'LOW',
    body: [
      `## Handed off: ${c.task.subject}`,
      `- Plan revisions: ${c.revision}`,
      `- Implement rounds: ${c.implementRound + 1}`,
      `- Files: ${c.files.length}`,
      `- Sub-agents: ${Object.entries(c.subagents)
        .map(([a, r]) => `${a} ${r.status === 'done' ? `${r.blocking} blocking` : r.status}`)
        .join('; ')}`,
    ].join('\n'),
    action: 'Record for the team memory',
  };
}

/** After each fix: sentinel re-verifies, naming what was fixed. */
export function bugFixMessage(c: RunContext, issue: Issue): Outgoing {
  return {
    to: ['sentinel'],
    type: 'BUG_FIX',
    priority: 'HIGH',
    body: [`## Fixed: ${issueTitle(issue)} (${issue.type} from ${issue.from})`, `- Fix cycle: ${c.fixCycles}`, '### Files', list(c.files)].join('\n'),
    action: 'Re-verify',
    replyTo: issue.messageId,
  };
}

export function fixEscalation(c: RunContext, issue: Issue): Outgoing {
  return {
    to: ['conductor'],
    type: 'REQUEST',
    priority: 'CRITICAL',
    body: [
      `## Fix cycles exhausted: ${c.task.subject}`,
      `- Cycles so far: ${c.fixCycles} (limit ${c.limits.fixCycles})`,
      `- Fixed: ${c.fixed.join('; ') || 'nothing yet'}`,
      `- Still open: ${issueTitle(issue)} (${issue.type} from ${issue.from})`,
    ].join('\n'),
    action: 'Reply APPROVED to allow more fix cycles, or REJECTED / CANCEL to stop',
  };
}

export function escalationMessage(c: RunContext, reason: string): Outgoing {
  return {
    to: ['conductor'],
    type: 'REQUEST',
    priority: 'CRITICAL',
    body: `## Needs your decision: ${c.task.subject}\n${reason}`,
    action: 'Reply APPROVED to go on, or REJECTED / CANCEL to stop',
  };
}

export function completionStatus(c: RunContext): Outgoing {
  return {
    to: ['conductor', 'librarian'],
    type: 'STATUS',
    priority: 'LOW',
    body: [
      `## Task complete: ${c.task.subject}`,
      `- Plan approved first try: ${c.planApprovedFirstTry ? 'yes' : 'no'}`,
      `- Fix cycles: ${c.fixCycles}`,
      `- Breaker bugs: ${c.breakerBugs}`,
      `- Sentinel passed first try: ${c.sentinelVerdicts[0] === 'PASS' ? 'yes' : 'no'}`,
    ].join('\n'),
    action: 'None. Task can be marked done.',
  };
}

export function cancelledStatus(c: RunContext): Outgoing {
  return {
    to: ['conductor'],
    type: 'STATUS',
    priority: 'MEDIUM',
    body: `## Cancelled: ${c.task.subject}\n${c.cancelReason ?? ''}`.trim(),
    action: 'None',
  };
}

/** The first heading or line of a BUG/FAIL, e.g. "BUG-1: null email crashes signup". */
export function issueTitle(issue: Pick<Issue, 'body'>): string {
  const line = issue.body.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.replace(/^#+\s*/, '').trim().slice(0, 100) || '(untitled)';
}

/** Where breaker should attack: the analyst's landmines first, then what the change touches. */
export function attackFocus(c: RunContext): string[] {
  const focus = c.handoff
    .split('\n')
    .filter((l) => l.includes('[LANDMINE]'))
    .map((l) => l.replace(/^[-*\s]*/, '').trim());
  const files = [...c.files, ...c.planFiles].join(' ').toLowerCase();
  if (/endpoint|router|api\//.test(files)) focus.push('input boundaries and injection on the new endpoints');
  if (/auth|login|token|password|permission/.test(files + c.plan)) focus.push('auth bypass and token handling');
  if (c.schemaChange) focus.push('the migration: existing rows, nulls, rollback');
  if (/service|repositor/.test(files)) focus.push('state and concurrency: repeated and parallel calls');
  return focus.length ? focus : ['input boundaries, error handling'];
}
