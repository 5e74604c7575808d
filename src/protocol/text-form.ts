import type { Result } from '../errors.js';
import { err } from '../errors.js';
import type { Draft, ParseError } from './parse.js';
import { PRIORITIES } from './schema.js';
import { isBlank, normalizeBody, splitAction } from './text.js';
import type { Problem } from './values.js';
import { aliasTable, at, clip, readDecision, readName, readNames, readPriority, readType } from './values.js';

/** Header keys of the seed format and its extensions, in rendering order. */
export const HEADER_KEYS = ['PRIORITY', 'TYPE', 'TO', 'FROM', 'TASK', 'ID', 'REPLY-TO', 'DECISION'] as const;
type HeaderKey = (typeof HEADER_KEYS)[number];
const REQUIRED: readonly HeaderKey[] = ['PRIORITY', 'TYPE', 'TO'];
const KEY_ALIASES: Record<string, HeaderKey> = { REPLYTO: 'REPLY-TO', 'IN-REPLY-TO': 'REPLY-TO', 'TASK-ID': 'TASK', 'MESSAGE-ID': 'ID' };
const KNOWN_KEYS = `${HEADER_KEYS.join(', ')} (and ACTION NEEDED at the end)`;

interface Group {
  key: string;
  value: string;
}

// Written without nested or lazy quantifiers: a dropped file can hold a 1 MB line.
const GROUP = /\[([^[\]:]*):([^[\]]*)\]/y;
const KEY = /^[A-Za-z][A-Za-z _-]*$/;

/** `[KEY: value]`, or several on one line (`[ID: a]  [REPLY-TO: b]`); null when the line is anything else. */
function headerGroups(line: string): Group[] | null {
  const t = line.trim();
  const groups: Group[] = [];
  let pos = 0;
  while (pos < t.length) {
    GROUP.lastIndex = pos;
    const m = GROUP.exec(t);
    const key = m?.[1]?.trim() ?? '';
    if (!m || !KEY.test(key)) return null;
    groups.push({ key, value: (m[2] as string).trim() });
    pos = GROUP.lastIndex;
    while (pos < t.length && /\s/.test(t[pos] as string)) pos++;
  }
  return groups.length > 0 ? groups : null;
}

function canonicalKey(key: string): HeaderKey | 'ACTION' | undefined {
  const k = key.trim().toUpperCase().replace(/[\s_-]+/g, '-');
  if (k === 'ACTION-NEEDED') return 'ACTION';
  return (HEADER_KEYS as readonly string[]).includes(k) ? (k as HeaderKey) : KEY_ALIASES[k];
}

/** A header line whose keys are all known (used to carry the block over a stray blank line). */
function isKnownHeaderLine(line: string): boolean {
  const g = headerGroups(line);
  return g !== null && g.every((x) => {
    const k = canonicalKey(x.key);
    return k !== undefined && k !== 'ACTION';
  });
}

const HEADER_START = /^\s*\[([^[\]:]*):/;

/** A line that opens like a known header (`[TO: …`) but is not a clean header line. */
function startsLikeHeader(line: string): boolean {
  const m = HEADER_START.exec(line);
  const key = m ? canonicalKey(m[1] as string) : undefined;
  return key !== undefined && key !== 'ACTION';
}

interface Header {
  value: string;
  line: number;
  shown: string;
}

/**
 * Reads the seed's text form. Headers are the bracketed `[KEY: value]` lines at the top;
 * the block ends at the first other line. A blank line inside the block is skipped only
 * while PRIORITY, TYPE or TO is still missing, so a body that begins with a
 * header-looking line (after the usual blank line) stays body.
 */
export function parseTextForm(text: string, lineOffset: number, aliasesIn: Record<string, string> | undefined): Result<Draft, ParseError> {
  const lines = text.split('\n');
  const lineNo = (i: number) => i + 1 + lineOffset;
  const fail = (i: number | undefined, p: Problem) => err(at(i === undefined ? undefined : lineNo(i), p));

  let i = lines.findIndex((l) => !isBlank(l));
  if (i < 0) return fail(undefined, { expected: 'a message', message: 'the message is empty; expected [PRIORITY: …], [TYPE: …], [TO: …] lines, a blank line and a body' });
  const firstHeader = i;
  const headers = new Map<HeaderKey, Header>();
  while (i < lines.length) {
    const line = lines[i] as string;
    if (isBlank(line)) {
      let k = i + 1;
      while (k < lines.length && isBlank(lines[k] as string)) k++;
      const missing = REQUIRED.some((r) => !headers.has(r));
      if (missing && headers.size > 0 && k < lines.length && isKnownHeaderLine(lines[k] as string)) {
        i = k;
        continue;
      }
      break;
    }
    const groups = headerGroups(line);
    if (groups === null || groups.some((g) => canonicalKey(g.key) === 'ACTION')) break;
    for (const g of groups) {
      const key = canonicalKey(g.key);
      const shown = `[${clip(g.key, 30)}: ${clip(g.value)}]`;
      if (key === undefined || key === 'ACTION') {
        return fail(i, { expected: `a header: ${KNOWN_KEYS}`, message: `${shown} is not a known header; expected one of ${KNOWN_KEYS}, or put a blank line before the body` });
      }
      if (headers.has(key)) {
        const prev = headers.get(key) as Header;
        return fail(i, { expected: `one [${key}: …] header`, message: `[${key}: …] appears twice (also on line ${prev.line}); keep one` });
      }
      headers.set(key, { value: g.value, line: lineNo(i), shown });
    }
    i++;
  }

  const stop = lines[i];
  const broken = stop !== undefined && REQUIRED.some((r) => !headers.has(r)) && startsLikeHeader(stop);
  if (broken) {
    return fail(i, { expected: 'a line of [KEY: value] headers', message: `"${clip(stop.trim())}" is not a header line; put each header alone in brackets, e.g. [TO: a, b]` });
  }
  if (headers.size === 0) {
    const found = (lines[firstHeader] as string).trim().slice(0, 60);
    return fail(firstHeader, { expected: `a [PRIORITY: ${PRIORITIES.join('|')}] header`, message: `expected the message to begin with [PRIORITY: …], [TYPE: …], [TO: …]; found "${found}"` });
  }
  for (const r of REQUIRED) {
    if (!headers.has(r)) {
      const hint = r === 'PRIORITY' ? PRIORITIES.join('|') : r === 'TYPE' ? 'PLAN, STATUS, …' : 'name, name | ALL';
      return fail(firstHeader, { expected: `a [${r}: …] header`, message: `the [${r}: ${hint}] header is missing; add it to the headers at the top` });
    }
  }

  const draft: Draft = { fields: {}, lines: {} };
  const aliases = aliasTable(aliasesIn);
  const read = <T>(key: HeaderKey, field: keyof Draft['fields'], fn: (h: Header) => Result<T, Problem>): ParseError | undefined => {
    const h = headers.get(key);
    // An extension header left empty (a template filled in halfway) says nothing.
    if (!h || (h.value === '' && !REQUIRED.includes(key))) return undefined;
    const r = fn(h);
    if (!r.ok) return at(h.line, r.error);
    draft.fields[field] = r.value;
    draft.lines[field] = h.line;
    return undefined;
  };
  const problem =
    read('PRIORITY', 'priority', (h) => readPriority(h.value, h.shown)) ??
    read('TYPE', 'type', (h) => readType(h.value, h.shown)) ??
    read('TO', 'to', (h) => readNames(h.value, aliases, h.shown)) ??
    read('FROM', 'from', (h) => readName(h.value, aliases, h.shown)) ??
    read('TASK', 'task', (h) => ({ ok: true, value: h.value })) ??
    read('ID', 'id', (h) => ({ ok: true, value: h.value })) ??
    read('REPLY-TO', 'replyTo', (h) => ({ ok: true, value: h.value })) ??
    read('DECISION', 'decision', (h) => readDecision(h.value, h.shown));
  if (problem) return err(problem);

  const { bodyLines, action } = splitAction(lines.slice(i));
  draft.fields.body = normalizeBody(bodyLines.join('\n'));
  if (action !== undefined) draft.fields.action = action;
  return { ok: true, value: draft };
}
