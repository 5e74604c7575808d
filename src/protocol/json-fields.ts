import type { Result } from '../errors.js';
import { err, ok } from '../errors.js';
import type { Draft, ParseError } from './parse.js';
import { MESSAGE_TYPES, PRIORITIES } from './schema.js';
import { normalizeAction, normalizeBody, splitAction } from './text.js';
import type { Problem } from './values.js';
import { at, clip, readDecision, readNames, readPriority, readType } from './values.js';

/** One known property of a JSON message: its value, line and key as written. */
export interface Prop {
  value: unknown;
  line: number;
  key: string;
}
export type Props = Map<string, Prop>;

/** Reads one property into the draft; undefined when all went well. */
type Step = ParseError | undefined;

const TYPE_LIST = MESSAGE_TYPES.join(', ');
const PRIORITY_LIST = PRIORITIES.join(', ');

function set(draft: Draft, field: keyof Draft['fields'], p: Prop, value: unknown): Step {
  draft.fields[field] = value;
  draft.lines[field] = p.line;
  return undefined;
}

function apply<T>(draft: Draft, field: keyof Draft['fields'], p: Prop, r: Result<T, Problem>): Step {
  return r.ok ? set(draft, field, p, r.value) : at(p.line, r.error);
}

/** A string, or a number written for an id. */
export function str(p: Prop): Result<string, Problem> {
  if (typeof p.value === 'string') return ok(p.value);
  if (typeof p.value === 'number') return ok(String(p.value));
  return err({ expected: 'a string', message: `"${p.key}" must be a string` });
}

const missing = (field: string, expected: string, fallbackLine: number): ParseError =>
  at(fallbackLine, { expected: `"${field}": ${expected}`, message: `the JSON message has no "${field}"; expected ${expected}` });

export function readJsonType(draft: Draft, type: Prop): Step {
  const r = typeof type.value === 'string' ? readType(type.value, `"${type.key}": "${clip(type.value)}"`) : err({ expected: 'a message type', message: `"${type.key}" must be a string: one of ${TYPE_LIST}` });
  return apply(draft, 'type', type, r);
}

export function readJsonPriority(draft: Draft, p: Prop | undefined, line: number): Step {
  if (!p) return missing('priority', `one of ${PRIORITY_LIST}`, line);
  const r = typeof p.value === 'string' ? readPriority(p.value, `"${p.key}": "${clip(p.value)}"`) : err({ expected: 'a priority', message: `"${p.key}" must be one of ${PRIORITY_LIST}` });
  return apply(draft, 'priority', p, r);
}

export function readJsonTo(draft: Draft, to: Prop | undefined, aliases: Map<string, string>, fallback: string | undefined, line: number): Step {
  if (!to) {
    if (fallback === undefined) return missing('to', 'a name, a list of names or "ALL"', line);
    const r = readNames(fallback, aliases, 'the default recipient');
    if (!r.ok) return at(line, r.error);
    draft.fields.to = r.value;
    return undefined;
  }
  const v = to.value;
  const names = typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
  const r = names ? readNames(v as string | string[], aliases, `"${to.key}"`) : err({ expected: 'a name or a list of names', message: `"${to.key}" must be a name or a list of names` });
  return apply(draft, 'to', to, r);
}

/** task, id and replyTo (or Claude Code's requestId): optional strings; empty means absent. */
export function readJsonIds(draft: Draft, props: Props): Step {
  for (const field of ['task', 'id', 'replyTo'] as const) {
    const p = props.get(field) ?? (field === 'replyTo' ? props.get('requestId') : undefined);
    if (!p || p.value === null || p.value === '') continue;
    const r = str(p);
    const e = apply(draft, field, p, r.ok ? ok(r.value.trim()) : r);
    if (e) return e;
  }
  return undefined;
}

export function readJsonDecision(draft: Draft, p: Prop | undefined): Step {
  if (!p || p.value === null || p.value === '') return undefined;
  const r = typeof p.value === 'string' ? readDecision(p.value, `"${p.key}": "${clip(p.value)}"`) : err({ expected: 'APPROVED or REJECTED', message: `"${p.key}" must be "APPROVED" or "REJECTED"` });
  return apply(draft, 'decision', p, r);
}

/** Claude Code's `approved` (or `approve`): a boolean, or a word that clearly says one. */
export function readApproved(draft: Draft, p: Prop | undefined, typeLine: number): Step {
  const v = p?.value;
  const yes = v === true || (typeof v === 'string' && /^(true|yes|approved?)$/i.test(v.trim()));
  const no = v === false || (typeof v === 'string' && /^(false|no|rejected?)$/i.test(v.trim()));
  if (!p || (!yes && !no)) {
    return at(p?.line ?? typeLine, { expected: '"approved": true or false', message: 'the plan_approval_response needs "approved": true or false' });
  }
  return set(draft, 'decision', p, yes ? 'APPROVED' : 'REJECTED');
}

/**
 * The body (the first of `bodyKeys` present) and the action, canonical as in the text
 * form; a trailing `[ACTION NEEDED: …]` line of the body becomes the action when there
 * is no "action" field, so that rendering and reading again gives the same message.
 */
export function readJsonBody(draft: Draft, props: Props, bodyKeys: readonly string[]): Step {
  const bodyProp = bodyKeys.map((k) => props.get(k)).find((p) => p !== undefined && p.value !== null);
  let body = '';
  if (bodyProp) {
    const r = str(bodyProp);
    if (!r.ok) return at(bodyProp.line, r.error);
    body = r.value;
    draft.lines.body = bodyProp.line;
  }
  const actionProp = props.get('action');
  let action: string | undefined;
  if (actionProp && actionProp.value !== null) {
    const r = str(actionProp);
    if (!r.ok) return at(actionProp.line, r.error);
    action = normalizeAction(r.value);
    draft.lines.action = actionProp.line;
  }
  const split = splitAction(normalizeBody(body).split('\n'));
  if (action === undefined && split.action !== undefined) {
    action = split.action;
    body = split.bodyLines.join('\n');
  }
  draft.fields.body = normalizeBody(body);
  if (action !== undefined) draft.fields.action = action;
  return undefined;
}
