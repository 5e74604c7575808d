import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../workspace/atomic.js';
import type { AgentLogConfig, LogEntry, RunMetrics } from './types.js';
import { TEMPLATE_HEADER, safeTaskId } from './format.js';
import { agentLogFile, parseAgentLog } from './read.js';
import { renderEntry } from './render.js';

export { renderEntry } from './render.js';

/** One append waiting for its file's writer. */
interface Waiting {
  m: RunMetrics;
  fsync: boolean;
  resolve(): void;
  reject(e: unknown): void;
}

/** Appends waiting per log file, and whether that file's writer is running. */
const queues = new Map<string, { waiting: Waiting[]; running: boolean }>();

/**
 * Adds the run's entry to the project's agent log, atomically (temp, fsync, rename).
 * A missing or blank file is created with the bootstrap's template header; an existing
 * header and every other entry (unreadable ones too) are kept byte for byte. Idempotent
 * per task id: an entry already there for `m.taskId` is replaced in place, not repeated.
 * Keeps the file's CRLF line ends and BOM if it had them.
 */
export async function appendEntry(projectDir: string, cfg: Pick<AgentLogConfig, 'path'>, m: RunMetrics, opts: { fsync?: boolean } = {}): Promise<void> {
  const file = agentLogFile(projectDir, cfg);
  // Runs finishing together in one engine must not lose each other's entry (read-modify-write),
  // and must not each rewrite the whole log: the appends queued meanwhile go in one write.
  return new Promise<void>((resolve, reject) => {
    let q = queues.get(file);
    if (!q) queues.set(file, (q = { waiting: [], running: false }));
    q.waiting.push({ m, fsync: opts.fsync ?? true, resolve, reject });
    if (!q.running) void drain(file, q);
  });
}

async function drain(file: string, q: { waiting: Waiting[]; running: boolean }): Promise<void> {
  q.running = true;
  while (q.waiting.length > 0) {
    const batch = q.waiting.splice(0);
    try {
      await write(
        file,
        batch.map((b) => b.m),
        batch.some((b) => b.fsync),
      );
      for (const b of batch) b.resolve();
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }
  q.running = false;
  queues.delete(file);
}

async function write(file: string, entries: RunMetrics[], fsync: boolean): Promise<void> {
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const next = entries.reduce(withEntry, text);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, next, { fsync });
}

/** The log text with `m`'s entry added or replaced (pure: what `appendEntry` writes). */
export function withEntry(text: string, m: RunMetrics): string {
  // The common case, without parsing the whole log (which made n appends cost n²): a plain
  // LF log that never names this task gets the entry added after one blank line. Since
  // header + raws is the text again (parseAgentLog), this is what the full path writes.
  if (!text.startsWith('\uFEFF') && !text.includes('\r') && text.trim() !== '' && !text.includes(safeTaskId(m.taskId))) {
    let end = text.length;
    // Not /\n*$/: a regex anchored at the end retries from every offset of a long log.
    while (end > 0 && text[end - 1] === '\n') end--;
    return `${text.slice(0, end)}\n\n${renderEntry(m)}`;
  }
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const crlf = text.includes('\r\n');
  const log = parseAgentLog(text);
  const header = log.header.trim() === '' && log.entries.length === 0 ? TEMPLATE_HEADER : log.header;
  const entry = renderEntry(m);
  const id = safeTaskId(m.taskId);
  const at = log.entries.findIndex((e) => e.valid && e.taskId === id);
  const raws = log.entries.map((e) => e.raw);
  let head = header;
  if (at >= 0) {
    raws[at] = entry + trailingBlank(log.entries[at]!);
  } else {
    // One blank line before the new entry, whatever the text before it ended with.
    if (raws.length > 0) raws[raws.length - 1] = raws[raws.length - 1]!.replace(/\n*$/, '\n\n');
    else if (head !== '') head = head.replace(/\n*$/, '\n\n');
    raws.push(entry);
  }
  return finish(bom, crlf, head + raws.join(''));
}

/** Keeps the blank lines that separated a replaced entry from the next one. */
function trailingBlank(e: LogEntry): string {
  const m = /\n*$/.exec(e.raw.replace(/\n$/, ''));
  return m ? m[0] : '';
}

function finish(bom: string, crlf: boolean, lf: string): string {
  return bom + (crlf ? lf.replace(/\n/g, '\r\n') : lf);
}
