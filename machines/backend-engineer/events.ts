import { decisionOf } from '../../src/protocol/decision.js';
import type { Message } from '../../src/protocol/schema.js';
import type { RunEvent } from './context.js';

/**
 * Turns a team message into the machine's typed event (docs/DESIGN.md §3). Who may say what is
 * the machine's question (its guards); this only reads what the message says.
 */
export function toEvent(m: Message, from: string, messageId: string): Extract<RunEvent, { messageId: string }> {
  const base = { from, messageId, body: m.body, priority: m.priority };
  switch (m.type) {
    case 'HANDOFF':
      return { type: 'HANDOFF', landmines: countLandmines(m.body), ...base };
    case 'BUG':
    case 'FAIL':
    case 'PASS':
    case 'CLEAR':
      return { type: m.type, ...base };
  }
  const decision = decisionOf(m);
  if (decision) return { type: 'PLAN_DECISION', approved: decision.approved, feedback: decision.feedback, ...base };
  if (from === 'conductor' && /^[\s#>*_`-]*CANCEL(LED)?\b/i.test(m.body)) return { type: 'CANCEL', ...base };
  // A word from the conductor that is no decision is shown to a person, not guessed.
  const attention = m.type === 'REQUEST' || m.type === 'WARNING' || from === 'conductor';
  return { type: 'NOTICE', messageType: m.type, attention, ...base };
}

/**
 * Landmines the analyst flagged: lines tagged `[LANDMINE]` and the items of a LANDMINES
 * section, each counted once.
 */
export function countLandmines(body: string): number {
  const found = new Set<string>();
  let inSection = false;
  for (const raw of body.split('\n')) {
    const line = raw.trim();
    if (/^#+\s/.test(line)) inSection = /^#+\s*LANDMINES\b/i.test(line);
    if (line.includes('[LANDMINE]')) found.add(line);
    else if (inSection && /^[-*]\s+\S/.test(line) && !/^[-*]\s+(none|n\/a)\b/i.test(line)) found.add(line);
  }
  return found.size;
}

