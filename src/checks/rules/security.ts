import type { SyntaxNode } from '@lezer/common';
import type { FileCtx } from '../context.js';
import { nodesOf, text } from '../parse.js';
import { bodyStatements, lastKid, callArgs, calleeName, defName, dotted, lastSeg, stringValue } from '../py.js';

/** The security-auditor's basics: injection, data exposure, secrets, CORS, debug. */
export function securityRules(c: FileCtx): void {
  if (c.on('no-raw-sql')) rawSql(c);
  if (c.on('no-secret-in-response')) secretInResponse(c);
  if (c.on('no-hardcoded-secret')) hardcodedSecret(c);
  if (c.on('no-wildcard-cors')) wildcardCors(c);
  if (c.on('no-debug')) debugOn(c);
}

/** SQL shapes; upper-case keywords anywhere, any case when the string goes straight into an execute call. */
const SQL = /\b(SELECT\b[\s\S]*\bFROM|INSERT\s+INTO|UPDATE\b[\s\S]*\bSET\b|DELETE\s+FROM|DROP\s+(TABLE|DATABASE)|ALTER\s+TABLE|CREATE\s+TABLE|TRUNCATE\s)/;
const SQL_ANY_CASE = new RegExp(SQL.source, 'i');
const EXECUTORS = new Set(['execute', 'executemany', 'exec_driver_sql', 'text', 'raw', 'fetch', 'fetchrow', 'fetchval', 'executescript']);

function looksSql(c: FileCtx, s: SyntaxNode, literal: string): boolean {
  if (SQL.test(literal)) return true;
  if (!SQL_ANY_CASE.test(literal)) return false;
  // Walk up through the building expression to the call it feeds, if any.
  let n: SyntaxNode | null = s.parent;
  while (n && (n.name === 'BinaryExpression' || n.name === 'ParenthesizedExpression' || n.name === 'ArgList' || n.name === 'MemberExpression')) {
    if (n.name === 'ArgList') {
      const callee = n.parent ? calleeName(c.f, n.parent) : null;
      return callee !== null && EXECUTORS.has(lastSeg(callee));
    }
    n = n.parent;
  }
  return false;
}

function rawSql(c: FileCtx): void {
  const rule = 'no-raw-sql';
  for (const fs of nodesOf(c.f, 'FormatString')) {
    if (!fs.getChild('FormatReplacement')) continue;
    if (looksSql(c, fs, text(c.f, fs))) c.emit(rule, fs, { why: 'An f-string builds SQL from values: input becomes SQL (injection).' });
  }
  for (const b of nodesOf(c.f, 'BinaryExpression')) {
    if (b.parent?.name === 'BinaryExpression') continue; // the outermost expression reports
    const op = b.getChild('ArithOp');
    if (!op || (text(c.f, op) !== '+' && text(c.f, op) !== '%')) continue;
    const strings: SyntaxNode[] = [];
    let nonLiteral = false;
    const visit = (n: SyntaxNode): void => {
      if (n.name === 'BinaryExpression') for (let k = n.firstChild; k; k = k.nextSibling) visit(k);
      else if (n.name === 'String') strings.push(n);
      else if (n.name !== 'ArithOp') nonLiteral = true;
    };
    visit(b);
    if (nonLiteral && strings.some((s) => looksSql(c, s, stringValue(c.f, s) ?? ''))) {
      c.emit(rule, b, { why: `SQL is built with ${text(c.f, op)} from values: input becomes SQL (injection).` });
    }
  }
  for (const call of nodesOf(c.f, 'CallExpression')) {
    const callee = call.firstChild;
    if (callee?.name !== 'MemberExpression' || callee.lastChild?.name !== 'PropertyName' || text(c.f, callee.lastChild) !== 'format') continue;
    const s = callee.firstChild;
    if (s?.name === 'String' && looksSql(c, s, stringValue(c.f, s) ?? '')) c.emit(rule, call, { why: 'SQL is built with .format(): input becomes SQL (injection).' });
  }
}

const SENSITIVE_FIELD = /(^|_)(password|passwd|pwd|secret|api_?key|private_?key|salt|password_hash|hashed_password|client_secret|secret_key|otp_secret)(_|$)/i;
const RESPONSE_CLASS = /(Response|Out|Public|Read)$/;

/** Annotated fields of a class body: name → node. */
function fields(c: FileCtx, cls: SyntaxNode): Map<string, SyntaxNode> {
  const out = new Map<string, SyntaxNode>();
  for (const s of bodyStatements(cls.getChild('Body'))) {
    if (s.name === 'AssignStatement' && s.firstChild?.name === 'VariableName' && s.getChild('TypeDef')) out.set(text(c.f, s.firstChild), s);
  }
  return out;
}

function secretInResponse(c: FileCtx): void {
  const classes = new Map(nodesOf(c.f, 'ClassDefinition').map((k) => [defName(c.f, k), k]));
  for (const [name, cls] of classes) {
    if (!RESPONSE_CLASS.test(name) || !cls.getChild('ArgList')) continue;
    const seen = new Set<SyntaxNode>();
    const check = (k: SyntaxNode, inherited: boolean): void => {
      if (seen.has(k)) return;
      seen.add(k);
      for (const [field, node] of fields(c, k)) {
        if (!SENSITIVE_FIELD.test(field)) continue;
        if (inherited) c.emit('no-secret-in-response', cls, { why: `${name} inherits the sensitive field \`${field}\` from ${defName(c.f, k)}; it would be returned in responses.` });
        else c.emit('no-secret-in-response', node, { why: `${name} has the sensitive field \`${field}\`; it would be returned in responses.` });
      }
      for (const base of callArgs(c.f, k).positional) {
        const parent = classes.get(dotted(c.f, base) ?? '');
        if (parent) check(parent, true);
      }
    };
    check(cls, false);
  }
}

const SECRET_NAME = /(^|_)(secret|password|passwd|pwd|api_?key|private_?key|access_?key|client_?secret|secret_?key|auth_?token|access_?token|refresh_?token|api_?token|bearer_?token|credentials?)(_|$)/i;
const NOT_SECRET = /_(type|url|uri|field|name|header|prefix|suffix|length|len|min|max|algorithm|alg|expire\w*|minutes|seconds|hours|days|ttl|pattern|regex|path|file|env|scheme|schemes|label|hint|message|msg|error|text|description|key_name)$/i;
const CREDENTIAL_URL = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:[^@\s]+@/i;

const isSecretName = (name: string): boolean => SECRET_NAME.test(name) && !NOT_SECRET.test(name);
const literal = (c: FileCtx, n: SyntaxNode | null | undefined): string | null => (n ? stringValue(c.f, n) : null);

function hardcodedSecret(c: FileCtx): void {
  const rule = 'no-hardcoded-secret';
  for (const a of nodesOf(c.f, 'AssignStatement')) {
    const target = dotted(c.f, a.firstChild);
    const last = lastKid(a);
    const value = literal(c, last);
    if (target === null || value === null || value.trim() === '' || last === a.firstChild) continue;
    if (isSecretName(lastSeg(target))) c.emit(rule, a, { why: `${lastSeg(target)} is set to a literal in source.` });
    else if (CREDENTIAL_URL.test(value)) c.emit(rule, a, { why: `${lastSeg(target)} holds a URL with a password in it.` });
  }
  for (const call of nodesOf(c.f, 'CallExpression')) {
    for (const [key, v] of callArgs(c.f, call).keywords) {
      const value = literal(c, v);
      if (value !== null && value.trim() !== '' && (isSecretName(key) || CREDENTIAL_URL.test(value))) {
        c.emit(rule, v, { why: `${key}= is given a literal secret in source.` });
      }
    }
  }
}

const hasStar = (c: FileCtx, v: SyntaxNode): boolean => {
  if (v.name === 'String') return ['*', '.*'].includes(stringValue(c.f, v) ?? '');
  if (['ArrayExpression', 'TupleExpression', 'SetExpression'].includes(v.name)) {
    for (let k = v.firstChild; k; k = k.nextSibling) if (k.name === 'String' && stringValue(c.f, k) === '*') return true;
  }
  return false;
};

function wildcardCors(c: FileCtx): void {
  if (!c.f.src.includes('*')) return;
  for (const call of nodesOf(c.f, 'CallExpression')) {
    for (const key of ['allow_origins', 'allow_origin_regex', 'origins']) {
      const v = callArgs(c.f, call).keywords.get(key);
      if (v && hasStar(c, v)) c.emit('no-wildcard-cors', v);
    }
  }
  for (const a of nodesOf(c.f, 'AssignStatement')) {
    const target = dotted(c.f, a.firstChild);
    if (target && /(cors|origins)/i.test(lastSeg(target)) && lastKid(a) !== null && hasStar(c, lastKid(a)!)) c.emit('no-wildcard-cors', a);
  }
}

function debugOn(c: FileCtx): void {
  const isTrue = (n: SyntaxNode | null | undefined): boolean => n?.name === 'Boolean' && text(c.f, n) === 'True';
  for (const call of nodesOf(c.f, 'CallExpression')) {
    const kw = callArgs(c.f, call).keywords;
    for (const key of ['debug', 'echo']) {
      if (isTrue(kw.get(key))) c.emit('no-debug', kw.get(key)!, { why: key === 'echo' ? 'echo=True logs every SQL statement with its values.' : 'debug=True returns tracebacks to clients.' });
    }
  }
  for (const a of nodesOf(c.f, 'AssignStatement')) {
    const target = dotted(c.f, a.firstChild);
    if (target && /^debug$/i.test(lastSeg(target)) && isTrue(lastKid(a))) c.emit('no-debug', a);
  }
}
