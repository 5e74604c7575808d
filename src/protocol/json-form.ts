import { getNodeValue, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { ParseError as JsoncError } from 'jsonc-parser';
import type { Result } from '../errors.js';
import { err } from '../errors.js';
import type { Draft, ParseError, ParseOptions } from './parse.js';
import { finishDraft, parseInner } from './parse.js';
import type { Prop, Props } from './json-fields.js';
import { readApproved, readJsonBody, readJsonDecision, readJsonIds, readJsonPriority, readJsonTo, readJsonType } from './json-fields.js';
import type { Message } from './schema.js';
import { MESSAGE_TYPES } from './schema.js';
import { lineOfOffset } from './text.js';
import type { Problem } from './values.js';
import { aliasTable, at, clip, readName } from './values.js';

/** Key spellings accepted (compared lower-case without - _ or spaces) → the field they fill. */
const KEYS: Record<string, string> = {
  from: 'from',
  sender: 'from',
  to: 'to',
  recipient: 'to',
  recipients: 'to',
  type: 'type',
  priority: 'priority',
  task: 'task',
  taskid: 'task',
  body: 'body',
  content: 'content',
  text: 'text',
  message: 'message',
  action: 'action',
  actionneeded: 'action',
  id: 'id',
  messageid: 'id',
  replyto: 'replyTo',
  inreplyto: 'replyTo',
  requestid: 'requestId',
  decision: 'decision',
  approved: 'approved',
  approve: 'approved',
  feedback: 'feedback',
  reason: 'reason',
};

const JSON_PROBLEMS: Record<string, string> = {
  PropertyNameExpected: 'a property name in double quotes was expected',
  ValueExpected: 'a value was expected',
  ColonExpected: 'a ":" was expected',
  CommaExpected: 'a "," was expected',
  CloseBraceExpected: 'a closing "}" was expected',
  CloseBracketExpected: 'a closing "]" was expected',
  EndOfFileExpected: 'nothing may follow the closing "}"',
  UnexpectedEndOfString: 'a string is not closed',
  InvalidSymbol: 'an unexpected character',
  InvalidCharacter: 'an invalid character in a string',
  InvalidEscapeCharacter: 'an invalid escape (\\) in a string',
};

/**
 * Reads the JSON form `{from,to,type,priority,task,body,action,id,replyTo,decision}`
 * (keys and values case-tolerant; comments and trailing commas allowed; unknown keys
 * ignored), Claude Code's `plan_approval_response` (→ STATUS with a decision), and a
 * Claude Code inbox entry `{from, text}` whose text is itself a message.
 */
export function parseJsonForm(text: string, lineOffset: number, opts: ParseOptions, fromFallback: string | undefined, depth: number): Result<Message, ParseError> {
  const errors: JsoncError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0 || !root) {
    const e = errors[0];
    const line = (e ? lineOfOffset(text, e.offset) : 1) + lineOffset;
    const code = e ? printParseErrorCode(e.error) : 'ValueExpected';
    return err(at(line, { expected: 'valid JSON', message: `the JSON is not valid: ${JSON_PROBLEMS[code] ?? code}; fix the JSON or use the text format` }));
  }
  if (root.type !== 'object') {
    return err(at(lineOffset + 1, { expected: 'a JSON object', message: 'expected a JSON object with priority, type, to and body' }));
  }
  const props: Props = new Map<string, Prop>();
  for (const p of root.children ?? []) {
    const [k, v] = p.children ?? [];
    if (!k || !v || typeof k.value !== 'string') continue;
    const field = KEYS[k.value.toLowerCase().replace(/[-_\s]/g, '')];
    if (field !== undefined && !props.has(field)) props.set(field, { value: getNodeValue(v), line: lineOfOffset(text, p.offset) + lineOffset, key: clip(k.value, 30) });
  }
  const aliases = aliasTable(opts.aliases);
  const fail = (p: Prop | undefined, problem: Problem) => err(at(p?.line ?? lineOffset + 1, problem));

  const type = props.get('type');
  const text0 = props.get('text');
  const from = props.get('from');
  let sender = fromFallback;
  if (from) {
    const s = from.value === null || from.value === '' ? undefined : typeof from.value === 'string' ? readName(from.value, aliases, `"${from.key}"`) : err({ expected: 'a member name', message: `"${from.key}" must be a name` });
    if (s && !s.ok) return fail(from, s.error);
    if (s) sender = s.value;
  }

  // A Claude Code inbox entry: the message itself is in "text".
  if (!type && text0 && typeof text0.value === 'string' && depth === 0) {
    const inner = parseInner(text0.value, opts, sender, depth + 1);
    if (inner.ok) return inner;
    return fail(text0, { expected: inner.error.expected, message: `in "${text0.key}": ${inner.error.message}` });
  }
  if (!type) return fail(undefined, { expected: `"type": one of ${MESSAGE_TYPES.join(', ')}`, message: `the JSON message has no "type"; expected one of ${MESSAGE_TYPES.join(', ')}` });

  const draft: Draft = { fields: {}, lines: {} };
  if (sender !== undefined) draft.fields.from = sender;
  if (from) draft.lines.from = from.line;
  const top = lineOffset + 1;
  const typeName = typeof type.value === 'string' ? type.value.trim().toLowerCase().replace(/[-\s]+/g, '_') : '';

  let problem: ParseError | undefined;
  if (typeName === 'plan_approval_response') {
    // Claude Code's answer to a plan: the conductor's decision, as a STATUS.
    draft.fields.type = 'STATUS';
    draft.lines.type = type.line;
    draft.fields.priority = 'MEDIUM';
    problem =
      readApproved(draft, props.get('approved'), type.line) ??
      (props.has('priority') ? readJsonPriority(draft, props.get('priority'), top) : undefined) ??
      readJsonTo(draft, props.get('to'), aliases, opts.defaultTo, top) ??
      readJsonIds(draft, props) ??
      readJsonBody(draft, props, ['feedback', 'body', 'content', 'reason', 'message']);
  } else {
    problem =
      readJsonType(draft, type) ??
      readJsonPriority(draft, props.get('priority'), top) ??
      readJsonTo(draft, props.get('to'), aliases, undefined, top) ??
      readJsonIds(draft, props) ??
      readJsonDecision(draft, props.get('decision')) ??
      readJsonBody(draft, props, ['body', 'content', 'text', 'message']);
  }
  if (problem) return err(problem);
  return finishDraft(draft, 'json', opts, undefined);
}
