import type { Result } from '../errors.js';
import { err, ok } from '../errors.js';
import { decodeInput, unwrapFence } from './decode.js';
import { parseJsonForm } from './json-form.js';
import type { Message } from './schema.js';
import { messageSchema } from './schema.js';
import { parseTextForm } from './text-form.js';
import { aliasTable, at, oneLine, senderFromFileName } from './values.js';

/*
 * How a message file is read (docs/DESIGN.md §3), so that render → parse gives back what was rendered:
 * - Bytes are UTF-8 (UTF-16 with a BOM is read too); a BOM is dropped; CRLF and CR become LF.
 * - A file whose first non-blank line opens a ``` or ~~~ fence is unwrapped; the last
 *   non-blank line must close it (else the file is taken as half-written and refused).
 * - Trimmed text starting with `{` is the JSON form; otherwise the text form.
 * - Headers are the `[KEY: value]` lines at the top (several may share a line); the block
 *   ends at the first other line. A blank line is skipped only while PRIORITY, TYPE or TO is
 *   still missing, so a body's own `[TO: x]` or `[LANDMINE]` lines stay body.
 * - The action is the last line opening with `[ACTION NEEDED:` plus the lines after it, when
 *   that text ends with `]` (or the opener is the last line). The body is what lies between
 *   headers and action, without leading or trailing blank lines; its inner text is kept.
 *   So a body written with no action must not end in such a block (`endsWithActionBlock`).
 */

/** Why a message could not be read. */
export interface ParseError {
  /** 1-based line of the input the problem is on, when there is one. */
  line?: number;
  /** What the parser wanted there, e.g. "one of LOW, MEDIUM, HIGH, CRITICAL". */
  expected: string;
  /** One line a person can act on, e.g. "line 2: [TYPE: BUGG] is not a known type; expected one of PLAN, STATUS, …". */
  message: string;
}

/** How to read names and fill in what a message leaves out. */
export interface ParseOptions {
  /** Alias → member (e.g. builder → backend-engineer); applied to FROM and TO, case-insensitively. */
  aliases?: Record<string, string>;
  /** The message's file name: `<sender>--<rest>` gives the sender when FROM is absent. */
  fileName?: string;
  /** The recipient of a `plan_approval_response` JSON that names none. */
  defaultTo?: string;
}

/** A message being assembled: its fields as read, and the input line each came from. */
export interface Draft {
  fields: Partial<Record<keyof Message, unknown>>;
  lines: Partial<Record<keyof Message, number>>;
}

const LABELS: Record<keyof Message, [text: string, json: string]> = {
  priority: ['[PRIORITY]', '"priority"'],
  type: ['[TYPE]', '"type"'],
  to: ['[TO]', '"to"'],
  from: ['[FROM]', '"from"'],
  task: ['[TASK]', '"task"'],
  id: ['[ID]', '"id"'],
  replyTo: ['[REPLY-TO]', '"replyTo"'],
  decision: ['[DECISION]', '"decision"'],
  body: ['the body', '"body"'],
  action: ['[ACTION NEEDED]', '"action"'],
};

/**
 * Checks an assembled draft against the message schema (ids, names) and fills the
 * sender from `fromFallback` or the file name when the message does not say.
 * @internal used by the text and JSON readers.
 */
export function finishDraft(draft: Draft, form: 'text' | 'json', opts: ParseOptions, fromFallback?: string): Result<Message, ParseError> {
  const fields = { ...draft.fields };
  if (fields.from === undefined) {
    const from = fromFallback ?? senderFromFileName(opts.fileName, aliasTable(opts.aliases));
    if (from !== undefined) fields.from = from;
  }
  const r = messageSchema.safeParse(fields);
  if (r.success) return ok(r.data);
  const issue = r.error.issues[0];
  const field = (issue?.path[0] ?? 'body') as keyof Message;
  const label = LABELS[field]?.[form === 'text' ? 0 : 1] ?? String(field);
  const value = fields[field];
  const shown = typeof value === 'string' ? ` "${value.slice(0, 80)}"` : '';
  return err(
    at(draft.lines[field], {
      expected: issue?.message ?? 'a valid value',
      message: `${label}${shown} is not valid: expected ${issue?.message ?? 'a valid value'}`,
    }),
  );
}

/**
 * Reads one message file: the seed's text format with the extension headers, or the
 * JSON form (also Claude Code's `plan_approval_response`), optionally wrapped in a
 * markdown code fence. Liberal in what it accepts (case, CRLF, BOM, spacing, aliases);
 * never throws: anything it cannot understand comes back as a {@link ParseError}.
 */
export function parseMessage(input: string | Uint8Array, opts: ParseOptions = {}): Result<Message, ParseError> {
  try {
    return parseInner(input, opts, undefined, 0);
  } catch (e) {
    // A bug here must not take the engine down with a file someone dropped in an inbox.
    return err({ expected: 'a message', message: oneLine(`the message could not be read (${e instanceof Error ? e.message : String(e)}); check its format`) });
  }
}

/** @internal: `depth` stops a JSON envelope from nesting messages forever. */
export function parseInner(input: string | Uint8Array, opts: ParseOptions, fromFallback: string | undefined, depth: number): Result<Message, ParseError> {
  const decoded = decodeInput(input);
  if (!decoded.ok) return decoded;
  const unwrapped = unwrapFence(decoded.value);
  if (!unwrapped.ok) return unwrapped;
  const { text, lineOffset } = unwrapped.value;
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) return parseJsonForm(text, lineOffset, opts, fromFallback, depth);
  if (/^\[\s*[{\]]/.test(trimmed)) {
    return err({ expected: 'one message', message: 'the file holds a JSON array; put one message per file (a JSON object or the text format)' });
  }
  const draft = parseTextForm(text, lineOffset, opts.aliases);
  if (!draft.ok) return draft;
  return finishDraft(draft.value, 'text', opts, fromFallback);
}
