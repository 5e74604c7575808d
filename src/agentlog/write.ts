import type { Stats } from 'node:fs';
import { constants, fstatSync, openSync, statSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../workspace/atomic.js';
import { fd, writeAll } from '../workspace/fd.js';
import type { AgentLogConfig, LogEntry, RunMetrics } from './types.js';
import { TEMPLATE_HEADER, safeTaskId } from './format.js';
import { agentLogFile, parseAgentLog } from './read.js';
import { renderEntry } from './render.js';

export { renderEntry } from './render.js';

/** One append waiting for its file's writer. */
interface Waiting {
  m: RunMetrics;
  fsync: boolean;
  /** Where the append's fsync goes when the caller waits for it itself (see appendEntry's `durable`). */
  durable?: Promise<void>[];
  resolve(): void;
  reject(e: unknown): void;
}

/** Appends waiting per log file, and whether that file's writer is running. */
const queues = new Map<string, { waiting: Waiting[]; running: boolean }>();

/**
 * Adds the run's entry to the project's agent log: the text is what {@link withEntry}
 * gives. A missing or blank file is created with the bootstrap's template header; an
 * existing header and every other entry (unreadable ones too) are kept byte for byte.
 * Idempotent per task id: an entry already there for `m.taskId` is replaced in place, not
 * repeated. Keeps the file's CRLF line ends and BOM if it had them.
 *
 * How it is written: a new entry at the end of a plain log (LF, no BOM) this writer has
 * read or written as it is now is appended, then fsynced; anything else (a replacement, a
 * log changed by someone else since, CRLF, a BOM) rewrites the file atomically (temp,
 * fsync, rename). So a long-lived engine pays for its entry, not for the whole log.
 *
 * `durable`: the fsync of an append is not waited for here but pushed there, for the
 * caller to wait for before it relies on the entry being on disk (the engine: before the
 * record that says the entry was written, beside the staging of its replies). A rewrite is
 * durable when this resolves, as without it.
 */
export async function appendEntry(projectDir: string, cfg: Pick<AgentLogConfig, 'path'>, m: RunMetrics, opts: { fsync?: boolean; durable?: Promise<void>[] } = {}): Promise<void> {
  const file = agentLogFile(projectDir, cfg);
  // Runs finishing together in one engine must not lose each other's entry (read-modify-write),
  // and must not each rewrite the whole log: the appends queued meanwhile go in one write.
  return new Promise<void>((resolve, reject) => {
    let q = queues.get(file);
    if (!q) queues.set(file, (q = { waiting: [], running: false }));
    q.waiting.push({ m, fsync: opts.fsync ?? true, ...(opts.durable ? { durable: opts.durable } : {}), resolve, reject });
    if (!q.running) void drain(file, q);
  });
}

async function drain(file: string, q: { waiting: Waiting[]; running: boolean }): Promise<void> {
  q.running = true;
  while (q.waiting.length > 0) {
    const batch = q.waiting.splice(0);
    try {
      const { synced } = await write(
        file,
        batch.map((b) => b.m),
        batch.some((b) => b.fsync),
      );
      // Each caller that waits for the fsync itself is given it; the others wait for it here.
      synced?.catch(() => undefined);
      if (synced && batch.some((b) => !b.durable)) {
        try {
          await synced;
        } catch (e) {
          for (const b of batch) if (!b.durable) b.reject(e);
        }
      }
      for (const b of batch) {
        if (synced && b.durable) b.durable.push(synced);
        b.resolve();
      }
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }
  q.running = false;
  queues.delete(file);
}

/** Writes the entries; an append's fsync is returned, still running (a rewrite is durable when this resolves). */
async function write(file: string, entries: RunMetrics[], fsync: boolean): Promise<{ synced?: Promise<void> }> {
  const st = await statOrUndefined(file);
  // A FIFO or a folder in its place is neither read nor written (reading a FIFO waits for a writer).
  if (st && !st.isFile()) throw new Error(`${file} is not a regular file; put the agent log itself there`);
  let text: string | undefined;
  let log = st ? known.get(file) : undefined;
  if (st && log?.version !== versionOf(st)) {
    text = await readText(file);
    log = summarize(text, versionOf(st));
  }
  const chunk = st && log ? appendable(log, entries) : undefined;
  if (st && log && chunk) {
    const appended = await appendChunk(file, st.size, log, chunk, fsync);
    if (appended) return appended;
  }
  known.delete(file);
  text ??= await readText(file);
  const next = entries.reduce(withEntry, text);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, next, { fsync });
  const after = await statOrUndefined(file);
  if (after) known.set(file, summarize(next, versionOf(after)));
  return {};
}

/**
 * What the writer knows of a log it last read or wrote, as long as the file's identity,
 * size and mtime are what they were then: whether it is a plain one (LF, no BOM, not
 * blank), a hash of each of its entries' task ids ({@link idHash}), and how many newlines
 * it ends with.
 */
interface KnownLog {
  version: string;
  plain: boolean;
  /**
   * Not the ids themselves: a small integer per entry, held in the set as is, not a string
   * per finished run for as long as the engine lives. A task whose hash is here may be
   * logged already and takes the full path (read, replace or add, rewrite), which is exact.
   */
  ids: Set<number>;
  trailing: number;
}
const known = new Map<string, KnownLog>();

/** A task id's 30-bit FNV-1a hash (a small integer V8 keeps unboxed). Exported for tests. */
export function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) & 0x3fffffff;
}

const versionOf = (st: Stats): string => `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;

/** The file's text; a missing file is an empty log. */
async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  }
}

/** Synchronous, like the engine's other small metadata calls: a round trip through the thread pool waits there behind the replies' fsyncs. */
async function statOrUndefined(file: string): Promise<Stats | undefined> {
  return statSync(file, { throwIfNoEntry: false });
}

function summarize(text: string, version: string): KnownLog {
  const plain = !text.startsWith('\uFEFF') && !text.includes('\r') && text.trim() !== '';
  const ids = new Set<number>();
  if (plain) for (const e of parseAgentLog(text).entries) if (e.valid && e.taskId !== undefined) ids.add(idHash(e.taskId));
  return { version, plain, ids, trailing: trailingNewlines(text) };
}

function trailingNewlines(text: string): number {
  let n = 0;
  while (n < text.length && text[text.length - 1 - n] === '\n') n++;
  return n;
}

/**
 * The text to append that makes the log what {@link withEntry} would write for `entries`,
 * or undefined when that needs more than an append: an entry to replace (its task is
 * logged already, or one with the same hash is), a log that is not plain, or more than one
 * blank line at its end.
 */
function appendable(log: KnownLog, entries: RunMetrics[]): { text: string; ids: string[]; trailing: number } | undefined {
  if (!log.plain) return undefined;
  let text = '';
  let trailing = log.trailing;
  const ids: string[] = [];
  for (const m of entries) {
    const id = safeTaskId(m.taskId);
    const entry = renderEntry(m);
    if (log.ids.has(idHash(id)) || ids.includes(id) || trailing > 2 || entry.includes('\r')) return undefined;
    text += '\n'.repeat(2 - trailing) + entry;
    trailing = trailingNewlines(entry);
    ids.push(id);
  }
  return { text, ids, trailing };
}

/**
 * Appends the entries at the log's end, fsynced when asked: the cost of an entry, not of
 * the whole log. False, having written nothing, when the file opened is no longer the
 * one known (replaced or changed since it was looked at); else the fsync, still running
 * (the handle is closed once it is done). A crash can cut the last entry short; the run
 * logs it again as it recovers, and that entry is replaced by task id like any other (see
 * appendEntry).
 */
async function appendChunk(file: string, size: number, log: KnownLog, chunk: { text: string; ids: string[]; trailing: number }, fsync: boolean): Promise<false | { synced?: Promise<void> }> {
  const data = Buffer.from(chunk.text);
  known.delete(file);
  // Not blocked on a FIFO planted in its place (opening one to write waits for a reader): ENXIO, or refused.
  const handle = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o644);
  let synced: Promise<void> | undefined;
  try {
    const st = fstatSync(handle);
    if (!st.isFile()) throw new Error(`${file} is not a regular file; put the agent log itself there`);
    if (versionOf(st) !== log.version) return false;
    writeAll(handle, data);
    const after = fstatSync(handle);
    if (fsync) synced = fd.sync(handle);
    // Someone else wrote too (a person, another engine): read it again next time.
    if (after.size === size + data.byteLength) {
      for (const id of chunk.ids) log.ids.add(idHash(id));
      known.set(file, { ...log, version: versionOf(after), trailing: chunk.trailing });
    }
    return synced ? { synced } : {};
  } finally {
    if (synced) void synced.then(() => fd.close(handle), () => fd.close(handle));
    else fd.close(handle);
  }
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
