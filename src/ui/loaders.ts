import { readLive } from '../handlers/live.js';
import type { LiveStep } from '../handlers/live.js';
import type { RunState } from '../engine/run-state.js';
import { promises as fs } from 'node:fs';
import type { Adaptation, LogEntry, Trends } from '../agentlog/index.js';
import { deriveAdaptations, readAgentLog, trends } from '../agentlog/index.js';
import { readJournal } from '../engine/read.js';
import type { TimelineEntry } from '../engine/view.js';
import { timeline } from '../engine/view.js';
import { renderMessage } from '../protocol/render.js';
import type { Message } from '../protocol/schema.js';
import type { Config } from '../workspace/config-schema.js';
import { createFolderMailbox, listInboxReport } from '../mailbox/folder/index.js';
import type { InboxReport } from '../mailbox/folder/index.js';
import type { WorkspacePaths } from '../workspace/paths.js';
import { projectOf } from '../workspace/project.js';

/**
 * Read-only loaders for what the engine keeps on disk rather than in memory: a run's
 * journal (its timeline), the inbox folders, the agent log. The UI calls them and shows
 * the result; nothing here writes.
 */

/** A run's timeline, from its journal (messages in and out, steps, people's actions, timers). */
/** The live state of each running command step of a run (its step folder's files). */
export async function loadLive(paths: WorkspacePaths, state: RunState, isCommand: (src: string) => boolean): Promise<Record<string, LiveStep>> {
  const out: Record<string, LiveStep> = {};
  for (const [id, step] of Object.entries(state.steps)) {
    if (isCommand(step.src)) out[id] = await readLive(paths.step(state.runId, id, step.attempt), 3);
  }
  return out;
}

export function loadTimeline(paths: WorkspacePaths, runId: string): Promise<TimelineEntry[]> {
  return readJournal(paths, runId).then((j) => timeline(j.records));
}

/** The whole text of a timeline entry: an outgoing message as sent, an incoming one as the mailbox kept it. */
export async function messageText(paths: WorkspacePaths, config: Config, taskId: string, e: TimelineEntry): Promise<string> {
  const member = config.engine.member;
  if (e.dir === 'out' && e.body !== undefined) {
    const to = e.peer.split(', ');
    const m: Message = { priority: (e.priority ?? 'MEDIUM') as Message['priority'], type: e.type as Message['type'], to, from: member, task: taskId, body: e.body };
    return renderMessage(m);
  }
  if (e.dir === 'in' && e.ref !== undefined) {
    const text = await createFolderMailbox({ paths, config }).original(e.ref);
    if (text !== undefined) return text;
    return `(the message ${e.origin ?? e.ref} is no longer kept by the mailbox)\n\n${e.firstLine}`;
  }
  return `${e.dir} ${e.peer} ${e.type}\n\n${e.firstLine}${e.outOfPlace ? `\n\nout of place: ${e.outOfPlace}` : ''}`;
}

/** The engine's inbox as `teamstate inbox` reports it. */
export function loadInbox(paths: WorkspacePaths, member: string): Promise<InboxReport> {
  return listInboxReport(paths, member);
}

/** What the log view shows. */
export interface LogData {
  file: string;
  exists: boolean;
  entries: LogEntry[];
  problems: string[];
  trends: Trends;
  adaptations: Adaptation[];
}

/** The agent log of the project under work, its trends, and the adaptations in force. */
export async function loadLog(paths: WorkspacePaths, config: Config): Promise<LogData> {
  const projectDir = projectOf(paths.root, config).dir;
  const log = await readAgentLog(projectDir, config.agentLog);
  return { file: log.file, exists: log.exists, entries: log.entries, problems: log.problems, trends: trends(log.entries), adaptations: deriveAdaptations(log.entries, config.agentLog) };
}

/** A file's text for the viewer (a rejected message, say). */
export function readText(file: string): Promise<string> {
  return fs.readFile(file, 'utf8');
}
