import { createHash } from 'node:crypto';
import type { RunEvent } from '../../machines/backend-engineer/context.js';
import { decisionOf } from '../protocol/decision.js';
import type { Message } from '../protocol/schema.js';

/**
 * Turns a team message into the machine's typed event (DESIGN §3). Who may say what is
 * the machine's question (its guards); this only reads what the message says.
 */
export function toEvent(m: Message, from: string, messageId: string): RunEvent {
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

/** Where a message goes: an existing run, a new run (HANDOFF), or nowhere (kept and shown). */
export type Route = { kind: 'run'; runId: string } | { kind: 'new'; runId: string; taskId: string } | { kind: 'unrouted'; reason: string };

/**
 * Correlates a message with a run: by `[TASK:]`, by `[REPLY-TO:]` one of the run's own
 * message ids, or — for peers that follow the seed format without the extension headers —
 * the one run in progress. A HANDOFF for a task with no run starts one; a HANDOFF
 * without a task gets an id derived from the message, so a re-read after a crash finds
 * the same run.
 */
export function route(m: Message, key: string, runs: { exists: (id: string) => boolean; active: () => string[] }): Route {
  if (m.task) {
    const runId = runIdOf(m.task);
    if (runs.exists(runId)) return { kind: 'run', runId };
    if (m.type === 'HANDOFF') return { kind: 'new', runId, taskId: m.task };
    return { kind: 'unrouted', reason: `no run for task ${m.task}; a run starts with the analyst's HANDOFF` };
  }
  if (m.replyTo) {
    const runId = m.replyTo.replace(/\.\d+$/, '');
    if (runId !== m.replyTo && runs.exists(runId)) return { kind: 'run', runId };
  }
  if (m.type === 'HANDOFF') {
    const id = `t-${createHash('sha256').update(key).digest('hex').slice(0, 10)}`;
    return { kind: 'new', runId: id, taskId: id };
  }
  const active = runs.active();
  if (active.length === 1) return { kind: 'run', runId: active[0]! };
  if (active.length === 0) return { kind: 'unrouted', reason: 'no run is in progress and the message names no [TASK:]' };
  return { kind: 'unrouted', reason: `${active.length} runs are in progress; add [TASK: id] to say which (${active.slice(0, 5).join(', ')})` };
}

/** Task ids are used as run ids when they are safe as a folder name. */
export function runIdOf(taskId: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(taskId) && !taskId.includes('..')
    ? taskId
    : `t-${createHash('sha256').update(taskId).digest('hex').slice(0, 10)}`;
}
