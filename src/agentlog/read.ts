import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AgentLogConfig, ParsedLog, LogEntry } from './types.js';
import { isEntryHeading, parseEntry } from './parse-entry.js';

/**
 * Splits a log into its header (everything before the first dated `## ` heading, kept
 * verbatim) and its entries, oldest first as written. Accepts CRLF and a BOM (read as LF,
 * no BOM). An entry that cannot be read is kept as raw text with a problem noted; this
 * never throws. `header + entries.map(e => e.raw).join('')` is the (LF) text again.
 */
export function parseAgentLog(text: string): ParsedLog {
  const lf = normalize(text);
  const starts = entryStarts(lf);
  const header = lf.slice(0, starts[0]?.offset ?? lf.length);
  const entries: LogEntry[] = [];
  const problems: string[] = [];
  starts.forEach((s, i) => {
    const raw = lf.slice(s.offset, starts[i + 1]?.offset ?? lf.length);
    const parsed = parsedEntry(raw, s.line);
    entries.push(parsed.entry);
    problems.push(...parsed.problems);
  });
  return { header, entries, problems };
}

/**
 * Entries read without a problem, by their text: the same entries are parsed again and again
 * (the last ones, before every task). Each kept entry is parsed from a copy of its own text:
 * a slice of the log's text would keep that whole text (tens of KB) alive, one per version of
 * the log the entry was read in, for as long as the entry is kept.
 */
const readEntries = new Map<string, { own: string; entry: LogEntry }>();
/** More than the entries the rules look at before a task (window × 3 + 2). */
const ENTRIES_KEPT = 128;

/**
 * {@link parseEntry}, once per entry text: an entry read without a problem is the same
 * entry wherever it stands but for its line, so it is kept (the most recent ENTRIES_KEPT)
 * and given back with its line. One with problems is read again (they name its lines).
 */
function parsedEntry(raw: string, line: number): { entry: LogEntry; problems: string[] } {
  const known = readEntries.get(raw);
  if (known) {
    readEntries.delete(raw);
    readEntries.set(known.own, known);
    return { entry: { ...known.entry, line }, problems: [] };
  }
  const own = ownCopy(raw);
  const parsed = parseEntry(own, line);
  if (parsed.problems.length === 0) {
    readEntries.set(own, { own, entry: parsed.entry });
    if (readEntries.size > ENTRIES_KEPT) readEntries.delete(readEntries.keys().next().value!);
  }
  return parsed;
}

/**
 * A string of its own with `text`'s characters (code unit for code unit, lone surrogates
 * too): V8 keeps a long slice as a view into the string it was cut from.
 */
export function ownCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/**
 * Reads the log at `cfg.path` under the project. A missing file is an empty log (the
 * bootstrap may not have run); an unreadable one is reported in `problems`, not thrown,
 * so a broken log never stops a task.
 */
export async function readAgentLog(projectDir: string, cfg: Pick<AgentLogConfig, 'path'>): Promise<ParsedLog & { file: string; exists: boolean }> {
  const file = agentLogFile(projectDir, cfg);
  let text: string;
  let version: string;
  try {
    // Every run reads the log as it starts: parse it again only when the file changed.
    const st = await stat(file);
    version = `${st.ino}:${st.size}:${st.mtimeMs}`;
    const cached = parsedLogs.get(file);
    if (cached?.version === version) return cached.log;
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { file, exists: false, header: '', entries: [], problems: [] };
    return { file, exists: false, header: '', entries: [], problems: [`cannot read the agent log ${file}: ${code ?? String(e)}; check its permissions or the agentLog.path setting`] };
  }
  const log = { file, exists: true, ...parseAgentLog(text) };
  parsedLogs.set(file, { version, log });
  return log;
}

/** The last parse of each log file, with the file's identity, size and mtime when read. */
const parsedLogs = new Map<string, { version: string; log: ParsedLog & { file: string; exists: boolean } }>();

/** The log's absolute path: `agentLog.path` resolved against the project. */
export function agentLogFile(projectDir: string, cfg: Pick<AgentLogConfig, 'path'>): string {
  return path.resolve(projectDir, cfg.path);
}

/** LF line ends, no BOM: how every function here sees the text. */
export function normalize(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/**
 * Where entries start: a dated `## ` heading begins the first; after it, every `## `
 * heading begins the next (an undated one becomes an unreadable entry rather than
 * vanishing into its neighbour). Headings inside ``` fences are text.
 */
function entryStarts(text: string): { offset: number; line: number }[] {
  const starts: { offset: number; line: number }[] = [];
  let offset = 0;
  let fenced = false;
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    else if (!fenced && /^##(?!#)/.test(line) && (starts.length > 0 || isEntryHeading(line))) {
      starts.push({ offset, line: i + 1 });
    }
    offset += line.length + 1;
  });
  return starts;
}
