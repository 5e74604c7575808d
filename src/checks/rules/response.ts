import type { SyntaxNode } from '@lezer/common';
import type { FileCtx } from '../context.js';
import { nodesOf, text, type PyFile } from '../parse.js';
import { kids, lastKid, callArgs, calleeName, decoratorName, defName, enclosingFunction, lastSeg, routeDecorator, stringValue, args as argsOf } from '../py.js';

const RULE = 'response-envelope';
/** Helpers that build the envelope (the skill's create_success_response and kin). */
const HELPER = /^(create|make|build)_\w*response$|^(success|error|api|standard|json|envelope|paginated)_response$|envelope$/;
/** Responses that are not JSON bodies (files, streams, redirects) carry no envelope. */
const NON_JSON = new Set(['FileResponse', 'StreamingResponse', 'RedirectResponse', 'HTMLResponse', 'PlainTextResponse', 'Response', 'EventSourceResponse']);
const JSON_RESPONSE = new Set(['JSONResponse', 'ORJSONResponse', 'UJSONResponse']);
/** Calls that pass their first argument through as the body (`jsonable_encoder({...})`). */
const PASS_THROUGH = new Set(['jsonable_encoder', 'to_jsonable_python', 'dumps']);

/** Route handlers and their returns, for one file. */
function routeReturns(f: PyFile): { fn: SyntaxNode; route: SyntaxNode; returns: SyntaxNode[] }[] {
  const out: { fn: SyntaxNode; route: SyntaxNode; returns: SyntaxNode[] }[] = [];
  for (const fn of nodesOf(f, 'FunctionDefinition')) {
    const route = routeDecorator(f, fn);
    if (route) out.push({ fn, route, returns: collectReturns(fn) });
  }
  return out;
}

/**
 * Whether the project uses the envelope: it defines an envelope helper, or at least half
 * of its route returns are envelopes. Where it does not, the rule only advises.
 */
export function envelopeAdoption(files: readonly PyFile[]): { following: number; total: number; adopted: boolean } {
  let following = 0;
  let total = 0;
  let helper = false;
  for (const f of files) {
    for (const fn of nodesOf(f, 'FunctionDefinition')) if (HELPER.test(defName(f, fn)) && !routeDecorator(f, fn)) helper = true;
    for (const { fn, returns } of routeReturns(f)) {
      for (const r of returns) {
        const value = kids(r)[1] ?? null;
        if (value === null || value.name === 'None') continue;
        total++;
        if (isEnvelopeIn(f, value, fn)) following++;
      }
    }
  }
  return { following, total, adopted: helper || (following > 0 && following * 2 >= total) };
}

/** Every route handler returns the `{code, data, message}` envelope. */
export function responseRules(c: FileCtx): void {
  if (!c.on(RULE)) return;
  const blocking = c.facts.envelope === 'enforce';
  for (const { fn, route, returns } of routeReturns(c.f)) {
    const noContent = is204(c.f, route);
    if (returns.length === 0) {
      if (!noContent) c.emit(RULE, fn, { blocking, why: `${decoratorName(c.f, route)} handler returns nothing, not the {code, data, message} envelope.` });
      continue;
    }
    for (const r of returns) {
      const value = kids(r)[1] ?? null;
      if (value === null || value.name === 'None') {
        if (!noContent) c.emit(RULE, r, { blocking, why: 'The endpoint returns None; only 204 No Content endpoints may return no body.' });
      } else if (!isEnvelopeIn(c.f, value, fn)) {
        c.emit(RULE, r, { blocking });
      }
    }
  }
}

/** ReturnStatements of `fn` itself (not of nested functions). */
function collectReturns(fn: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const visit = (n: SyntaxNode): void => {
    for (let k = n.firstChild; k; k = k.nextSibling) {
      if (k.name === 'FunctionDefinition' || k.name === 'ClassDefinition' || k.name === 'LambdaExpression') continue;
      if (k.name === 'ReturnStatement') out.push(k);
      else visit(k);
    }
  };
  visit(fn.getChild('Body') ?? fn);
  return out;
}

function is204(f: PyFile, route: SyntaxNode): boolean {
  const sc = argsOf(f, route.getChild('ArgList')).keywords.get('status_code');
  return sc !== undefined && /(^|\D)204(\D|$)/.test(text(f, sc));
}

const isEnvelopeIn = (f: PyFile, v: SyntaxNode, fn: SyntaxNode): boolean => isEnvelope({ f }, v, fn);

function isEnvelope(c: Pick<FileCtx, 'f'>, v: SyntaxNode, fn: SyntaxNode, depth = 0): boolean {
  if (v.name === 'AwaitExpression' || v.name === 'ParenthesizedExpression') {
    const k = kids(v);
    const inner = k.at(-1)?.name === ')' ? k[1] : k.at(-1);
    return inner ? isEnvelope(c, inner, fn, depth) : false;
  }
  if (v.name === 'DictionaryExpression') return dictHasEnvelope(c, v);
  if (v.name === 'ConditionalExpression') {
    // `a if cond else b`: both outcomes must be envelopes (the condition sits between them).
    const k = kids(v).filter((n) => n.name !== 'if' && n.name !== 'else');
    return k.length === 3 && isEnvelope(c, k[0]!, fn, depth) && isEnvelope(c, k[2]!, fn, depth);
  }
  if (v.name === 'CallExpression') {
    const callee = calleeName(c.f, v);
    const last = callee === null ? '' : lastSeg(callee);
    if (HELPER.test(last) || NON_JSON.has(last)) return true;
    const a = callArgs(c.f, v);
    if (PASS_THROUGH.has(last)) return a.positional[0] !== undefined && isEnvelope(c, a.positional[0], fn, depth + 1);
    if (JSON_RESPONSE.has(last)) {
      const content = a.keywords.get('content') ?? a.positional[0];
      return content !== undefined && isEnvelope(c, content, fn, depth + 1);
    }
    if (last === 'dict') return ['code', 'data', 'message'].every((k) => a.keywords.has(k));
    return a.keywords.has('data') && a.keywords.has('message');
  }
  if (v.name === 'VariableName' && depth < 3) {
    // `response = create_success_response(...)`, then `return response`.
    const name = text(c.f, v);
    return nodesOf(c.f, 'AssignStatement').some((a) => {
      if (a.from < fn.from || a.to > fn.to || enclosingFunction(a) !== fn) return false;
      if (a.firstChild?.name !== 'VariableName' || text(c.f, a.firstChild) !== name) return false;
      const value = lastKid(a);
      return value !== null && value !== a.firstChild && isEnvelope(c, value, fn, depth + 1);
    });
  }
  return false;
}

function dictHasEnvelope(c: Pick<FileCtx, 'f'>, d: SyntaxNode): boolean {
  const keys = new Set<string>();
  let expectKey = true;
  for (let k = d.firstChild; k; k = k.nextSibling) {
    if (k.name === '{' || k.name === '}' || k.name === 'Comment') continue;
    if (k.name === ',') expectKey = true;
    else if (k.name === ':') expectKey = false;
    else if (expectKey) {
      const s = stringValue(c.f, k);
      if (s !== null) keys.add(s);
      expectKey = false;
    }
  }
  return keys.has('code') && keys.has('data') && keys.has('message');
}
