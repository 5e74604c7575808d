import { getNodeValue, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { ParseError as JsoncError } from 'jsonc-parser';
import type { Result } from '../errors.js';
import { err } from '../errors.js';
import type { Draft, ParseError, ParseOptions } from './parse.js';
import { finishDraft, parseInner } from './parse.js';
import type { Message } from './schema.js';
import { MESSAGE_TYPES, PRIORITIES } from './schema.js';
import { lineOfOffset, normalizeAction, normalizeBody, splitAction } from './text.js';
import type { Problem } from './values.js';
import { aliasTable, at, clip, readDecision, readName, readNames, readPriority, readType } from './values.js';

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

interface Prop {
  value: unknown;
  line: number;
  key: string;
}

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
  const props = new Map<string, Prop>();
  for (const p of root.children ?? []) {
    const [k, v] = p.children ?? [];
    if (!k || !v || typeof k.value !== 'string') continue;
    const field = KEYS[k.value.toLowerCase().replace(/[-_\s]/g, '')];
    if (field !== undefined && !props.has(field)) props.set(field, { value: getNodeValue(v), line: lineOfOffset(text, p.offset) + lineOffset, key: clip(k.value, 30) });
  }
  const aliases = aliasTable(opts.aliases);
  const fail = (p: Prop | undefined, problem: Problem) => err(at(p?.line ?? lineOffset + 1, problem));
  const str = (p: Prop): Result<string, Problem> =>
    typeof p.value === 'string' ? { ok: true, value: p.value } : typeof p.value === 'number' ? { ok: true, value: String(p.value) } : err({ expected: 'a string', message: `"${p.key}" must be a string` });

  const type = props.get('type');
  const text0 = props.get('text');
  const from = props.get('from');
  let sender = fromFallback;
  if (from) {
    const s = from.value === undefined ? undefined : typeof from.value === 'string' ? readName(from.value, aliases, `"${from.key}"`) : err({ expected: 'a member name', message: `"${from.key}" must be a name` });
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
  const set = (field: keyof Draft['fields'], p: Prop, value: unknown) => {
    draft.fields[field] = value;
    draft.lines[field] = p.line;
  };
  if (sender !== undefined) draft.fields.from = sender;
  if (from) draft.lines.from = from.line;

  const typeName = typeof type.value === 'string' ? type.value.trim().toLowerCase().replace(/[-\s]+/g, '_') : '';
  const approvalResponse = typeName === 'plan_approval_response';

  if (approvalResponse) {
    const approved = props.get('approved');
    const yes = approved?.value === true || (typeof approved?.value === 'string' && /^(true|yes|approved?)$/i.test(approved.value));
    const no = approved?.value === false || (typeof approved?.value === 'string' && /^(false|no|rejected?)$/i.test(approved.value));
    if (!approved || (!yes && !no)) return fail(approved ?? type, { expected: '"approved": true or false', message: 'the plan_approval_response has no "approved": true or false; add it' });
    set('type', type, 'STATUS');
    set('decision', approved, yes ? 'APPROVED' : 'REJECTED');
    draft.fields.priority = 'MEDIUM';
  } else {
    const t = typeof type.value === 'string' ? readType(type.value, `"${type.key}": "${clip(type.value)}"`) : err({ expected: 'a message type', message: `"${type.key}" must be a string` });
    if (!t.ok) return fail(type, t.error);
    set('type', type, t.value);
  }

  const priority = props.get('priority');
  if (priority) {
    const r = typeof priority.value === 'string' ? readPriority(priority.value, `"${priority.key}": "${clip(priority.value)}"`) : err({ expected: 'a priority', message: `"${priority.key}" must be one of ${PRIORITIES.join(', ')}` });
    if (!r.ok) return fail(priority, r.error);
    set('priority', priority, r.value);
  } else if (!approvalResponse) {
    return fail(undefined, { expected: `"priority": one of ${PRIORITIES.join(', ')}`, message: `the JSON message has no "priority"; expected one of ${PRIORITIES.join(', ')}` });
  }

  const to = props.get('to');
  if (to) {
    const v = to.value;
    const r = typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')) ? readNames(v as string | string[], aliases, `"${to.key}"`) : err({ expected: 'a name or a list of names', message: `"${to.key}" must be a name or a list of names` });
    if (!r.ok) return fail(to, r.error);
    set('to', to, r.value);
  } else if (approvalResponse && opts.defaultTo !== undefined) {
    const r = readNames(opts.defaultTo, aliases, 'the default recipient');
    if (!r.ok) return fail(type, r.error);
    draft.fields.to = r.value;
  } else {
    return fail(undefined, { expected: '"to": a name, a list of names or "ALL"', message: 'the JSON message has no "to"; add the recipient(s)' });
  }

  for (const field of ['task', 'id', 'replyTo'] as const) {
    const p = props.get(field) ?? (field === 'replyTo' ? props.get('requestId') : undefined);
    if (!p || p.value === null) continue;
    const r = str(p);
    if (!r.ok) return fail(p, r.error);
    set(field, p, r.value.trim());
  }
  const decision = props.get('decision');
  if (decision && !approvalResponse && decision.value !== null) {
    const r = typeof decision.value === 'string' ? readDecision(decision.value, `"${decision.key}": "${clip(decision.value)}"`) : err({ expected: 'APPROVED or REJECTED', message: `"${decision.key}" must be "APPROVED" or "REJECTED"` });
    if (!r.ok) return fail(decision, r.error);
    set('decision', decision, r.value);
  }

  const bodyKeys = approvalResponse ? ['feedback', 'body', 'content', 'reason', 'message'] : ['body', 'content', 'text', 'message'];
  const bodyProp = bodyKeys.map((k) => props.get(k)).find((p) => p !== undefined && p.value !== null);
  let body = '';
  if (bodyProp) {
    const r = str(bodyProp);
    if (!r.ok) return fail(bodyProp, r.error);
    body = r.value;
  }
  const actionProp = props.get('action');
  let action: string | undefined;
  if (actionProp && actionProp.value !== null) {
    const r = str(actionProp);
    if (!r.ok) return fail(actionProp, r.error);
    action = normalizeAction(r.value);
  }
  // Same rule as the text form: a trailing [ACTION NEEDED: …] line of the body is the action.
  const split = splitAction(normalizeBody(body).split('\n'));
  if (action === undefined && split.action !== undefined) {
    action = split.action;
    body = split.bodyLines.join('\n');
  }
  draft.fields.body = normalizeBody(body);
  if (bodyProp) draft.lines.body = bodyProp.line;
  if (action !== undefined) draft.fields.action = action;
  if (actionProp) draft.lines.action = actionProp.line;
  return finishDraft(draft, 'json', opts, undefined);
}
