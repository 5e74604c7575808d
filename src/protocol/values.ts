import type { Result } from '../errors.js';
import { err, ok } from '../errors.js';
import type { ParseError } from './parse.js';
import type { Decision, MessageType, Priority } from './schema.js';
import { ALL, MESSAGE_TYPES, PRIORITIES, memberNameSchema } from './schema.js';

/** What was wrong with one value, before the caller says where it was. */
export interface Problem {
  expected: string;
  message: string;
}

/** A problem placed at a line of the input (when known). */
export function at(line: number | undefined, p: Problem): ParseError {
  const message = clip(oneLine(p.message), 400);
  return line === undefined ? { expected: p.expected, message } : { line, expected: p.expected, message: `line ${line}: ${message}` };
}

/** A quoted value cut to a readable length. */
export function clip(s: string, max = 60): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Error messages quote what they found; a quoted value must not break the one-line promise. */
export function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}

const TYPE_LIST = `one of ${MESSAGE_TYPES.join(', ')}`;
const PRIORITY_LIST = `one of ${PRIORITIES.join(', ')}`;

/** Spellings seen in the team's definitions for types that have one canonical name. */
const TYPE_ALIASES: Record<string, MessageType> = { BUGFIX: 'BUG_FIX', META_LEARNING: 'META' };

/** `bug fix`, `Bug-Fix`, `BUG_FIX` → BUG_FIX. */
export function readType(raw: string, shown: string): Result<MessageType, Problem> {
  const v = raw.trim().toUpperCase().replace(/[\s-]+/g, '_');
  const t = (MESSAGE_TYPES as readonly string[]).includes(v) ? (v as MessageType) : TYPE_ALIASES[v];
  if (t) return ok(t);
  return err({ expected: TYPE_LIST, message: `${shown} is not a known type; expected ${TYPE_LIST}` });
}

export function readPriority(raw: string, shown: string): Result<Priority, Problem> {
  const v = raw.trim().toUpperCase();
  if ((PRIORITIES as readonly string[]).includes(v)) return ok(v as Priority);
  return err({ expected: PRIORITY_LIST, message: `${shown} is not a known priority; expected ${PRIORITY_LIST}` });
}

export function readDecision(raw: string, shown: string): Result<Decision, Problem> {
  const v = raw.trim().toUpperCase();
  if (v === 'APPROVED' || v === 'APPROVE') return ok('APPROVED');
  if (v === 'REJECTED' || v === 'REJECT') return ok('REJECTED');
  return err({ expected: 'APPROVED or REJECTED', message: `${shown} is not a decision; expected APPROVED or REJECTED` });
}

/** Lower-cases alias keys once so lookups are case-insensitive. */
export function aliasTable(aliases: Record<string, string> | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of Object.entries(aliases ?? {})) m.set(k.trim().toLowerCase(), v.trim().toLowerCase());
  return m;
}

/**
 * One member name as written → the member: quotes, `@` and case dropped, inner spaces
 * become `-` ("Backend Engineer" → backend-engineer), aliases resolved; `all` → ALL.
 */
export function readName(raw: string, aliases: Map<string, string>, shown: string): Result<string, Problem> {
  // Far longer than any name; also keeps the quote-stripping below linear in practice.
  if (raw.length > 200) return err({ expected: 'a member name', message: `${shown}: a name of ${raw.length} characters is not a member name; expected at most 64` });
  const v = raw
    .trim()
    .replace(/^["'`]+|["'`]+$/g, '')
    .replace(/^@/, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '-');
  if (v === 'all') return ok(ALL);
  const name = aliases.get(v) ?? v;
  if (memberNameSchema.safeParse(name).success) return ok(name);
  return err({
    expected: 'a member name',
    message: `${shown}: "${clip(raw.trim())}" is not a member name; expected lower-case letters, digits, - and _ (or ALL)`,
  });
}

/** `a, b; c` (also `&`, `+`) or a list → the members, aliases resolved, duplicates dropped, order kept. */
export function readNames(raw: string | readonly string[], aliases: Map<string, string>, shown: string): Result<string[], Problem> {
  const parts = (typeof raw === 'string' ? raw.split(/[,;&+]/) : raw).map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) return err({ expected: 'at least one recipient', message: `${shown} names no recipient; expected a member name, several separated by commas, or ALL` });
  const out: string[] = [];
  for (const p of parts) {
    const r = readName(p, aliases, shown);
    if (!r.ok) return r;
    if (!out.includes(r.value)) out.push(r.value);
  }
  return ok(out);
}

/** The sender a file name `<sender>--<rest>` gives, when it names a valid member. */
export function senderFromFileName(fileName: string | undefined, aliases: Map<string, string>): string | undefined {
  if (fileName === undefined) return undefined;
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const i = base.indexOf('--');
  if (i <= 0) return undefined;
  const r = readName(base.slice(0, i), aliases, 'file name');
  return r.ok && r.value !== ALL ? r.value : undefined;
}
