import { createHash } from 'node:crypto';
import type { Start } from '../../machines/entry.js';
import type { Message } from '../protocol/schema.js';

/** Where a message goes: an existing run, a new run (HANDOFF), or nowhere (kept and shown). */
export type Route = { kind: 'run'; runId: string } | { kind: 'new'; runId: string; taskId: string; subject: string } | { kind: 'unrouted'; reason: string };

/**
 * Correlates a message with a run: by `[TASK:]`, by `[REPLY-TO:]` one of the run's own
 * message ids, or — for peers that follow the seed format without the extension headers —
 * the one run in progress. A message the machine says starts a run (`starts`, the
 * backend-engineer's analyst HANDOFF) starts one for a task with no run; one without a
 * task gets an id derived from the message, so a re-read after a crash finds the same run.
 */
export function route(m: Message, key: string, runs: { exists: (id: string) => boolean; active: () => string[]; startHint: string }, starts: Start | undefined): Route {
  if (m.task) {
    const runId = runIdOf(m.task);
    if (runs.exists(runId)) return { kind: 'run', runId };
    if (starts?.ok) return { kind: 'new', runId, taskId: m.task, subject: starts.subject };
    return { kind: 'unrouted', reason: starts?.ok === false ? starts.reason : `no run for task ${m.task}; ${runs.startHint}` };
  }
  if (m.replyTo) {
    const runId = m.replyTo.replace(/\.\d+$/, '');
    if (runId !== m.replyTo && runs.exists(runId)) return { kind: 'run', runId };
  }
  if (starts?.ok) {
    const id = keyRunId(key);
    return { kind: 'new', runId: id, taskId: id, subject: starts.subject };
  }
  if (starts) return { kind: 'unrouted', reason: starts.reason };
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

/** The run a message that starts one without naming a task starts: derived from its key, so a copy of it (or another message under its [ID:]) goes to the same run. */
export function keyRunId(key: string): string {
  return `t-${createHash('sha256').update(key).digest('hex').slice(0, 10)}`;
}
