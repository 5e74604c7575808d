import type { SyntaxNode } from '@lezer/common';
import type { FileCtx } from '../context.js';
import { nodesOf, text } from '../parse.js';
import { inDevSettings, isDevFile } from '../facts.js';
import { bodyStatements, lastKid, callArgs, calleeName, defName, dotted, enclosingFunction, lastSeg, stringValue } from '../py.js';

/** The security-auditor's basics: injection, data exposure, secrets, CORS, debug. */
export function securityRules(c: FileCtx): void {
  if (c.on('no-raw-sql')) rawSql(c);
  if (c.on('no-eval')) evalCalls(c);
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

/** The SQL literal a variable was last assigned before `at`, in the same function (or module), if any. */
function sqlHeldBy(c: FileCtx, v: SyntaxNode, at: SyntaxNode): boolean {
  const name = text(c.f, v);
  const scope = enclosingFunction(at);
  let held = false;
  for (const a of nodesOf(c.f, 'AssignStatement')) {
    if (a.from >= at.from) break;
    if (enclosingFunction(a) !== scope || a.firstChild?.name !== 'VariableName' || text(c.f, a.firstChild) !== name) continue;
    const value = lastKid(a);
    const s = value?.name === 'String' ? stringValue(c.f, value) : value?.name === 'ContinuedString' ? text(c.f, value) : null;
    held = s !== null && SQL_ANY_CASE.test(s) && /%[sd(]/.test(s);
  }
  return held;
}

/** Builtin eval()/exec() calls (not methods such as session.exec or model.eval). */
function evalCalls(c: FileCtx): void {
  const defined = new Set(nodesOf(c.f, 'FunctionDefinition').map((fn) => defName(c.f, fn)));
  for (const call of nodesOf(c.f, 'CallExpression')) {
    const callee = call.firstChild;
    if (callee?.name !== 'VariableName') continue;
    const name = text(c.f, callee);
    if ((name !== 'eval' && name !== 'exec') || c.imported.has(name) || defined.has(name)) continue;
    const arg = callArgs(c.f, call).positional[0];
    if (arg?.name === 'String') continue; // a constant string is code the author wrote
    c.emit('no-eval', call, { why: `${name}() runs its argument as Python code${arg ? ` (${text(c.f, arg).slice(0, 60)})` : ''}.` });
  }
}

function rawSql(c: FileCtx): void {
  const rule = 'no-raw-sql';
  for (const fs of nodesOf(c.f, 'FormatString')) {
    if (!fs.getChild('FormatReplacement') || /^[rR]?[tT]/.test(text(c.f, fs))) continue; // t-strings keep values apart
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
    // `sql % params` where sql was assigned a SQL literal: the string is in a variable.
    if (text(c.f, op) === '%' && strings.length === 0 && b.firstChild?.name === 'VariableName') {
      const held = sqlHeldBy(c, b.firstChild, b);
      if (held) c.emit(rule, b, { why: `SQL in \`${text(c.f, b.firstChild)}\` is filled in with %: input becomes SQL (injection).` });
      continue;
    }
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

const SECRET_NAME = /(^|_)(secret|password|passwd|pass|pwd|pw|passphrase|api_?key|apikey|private_?key|access_?key|client_?secret|secret_?key|auth_?token|access_?token|refresh_?token|api_?token|bearer_?token|bot_?token|credentials?|signing_?key|jwt_?secret|encryption_?key)(_|$)/i;
/** Shapes of real keys and tokens, whatever the variable is called. */
const TOKEN_SHAPE = /^(sk|rk|pk)_(live|test)_[0-9a-zA-Z]{16,}$|^gh[pousr]_[0-9A-Za-z]{30,}$|^github_pat_[0-9A-Za-z_]{40,}$|^xox[abposr]-[0-9A-Za-z-]{10,}$|^AKIA[0-9A-Z]{16}$|^AIza[0-9A-Za-z_-]{35}$|^sk-(proj-|ant-)?[0-9A-Za-z_-]{32,}$|^glpat-[0-9A-Za-z_-]{20}$|-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/;
/** Values that say they are not a secret: empty-ish placeholders for the environment to fill. */
const PLACEHOLDER = /^(\*+|x+|\.\.\.|<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|%\([^)]*\)s|none|null|changeme_in_env)$/i;
const NOT_SECRET = /_(type|url|uri|field|name|header|prefix|suffix|length|len|min|max|algorithm|alg|expire\w*|minutes|seconds|hours|days|ttl|pattern|regex|path|file|env|scheme|schemes|label|hint|message|msg|error|text|description|key_name)$/i;
const CREDENTIAL_URL = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:[^@\s]+@/i;

/** Names of things about secrets, not secrets: a cookie's name, an error message. */
const ABOUT_SECRET = /(token|cookie|header|param|field)_key$|cookie|^(invalid|wrong|bad|missing|incorrect|expired)_|_(exception|detail)$/i;
const isSecretName = (name: string): boolean => SECRET_NAME.test(name) && !NOT_SECRET.test(name) && !ABOUT_SECRET.test(name);
/** A sentence is a message, not a secret (secrets have no spaces). */
const isSentence = (v: string): boolean => /\s/.test(v.trim());
const literal = (c: FileCtx, n: SyntaxNode | null | undefined): string | null => (n ? stringValue(c.f, n) : null);

function hardcodedSecret(c: FileCtx): void {
  const rule = 'no-hardcoded-secret';
  for (const a of nodesOf(c.f, 'AssignStatement')) {
    const target = dotted(c.f, a.firstChild);
    const last = lastKid(a);
    const value = literal(c, last);
    if (target === null || value === null || value.trim() === '' || last === a.firstChild || PLACEHOLDER.test(value.trim())) continue;
    if (isSecretName(lastSeg(target)) && !isSentence(value)) c.emit(rule, a, { why: `${lastSeg(target)} is set to a literal in source.` });
    else if (CREDENTIAL_URL.test(value)) c.emit(rule, a, { why: `${lastSeg(target)} holds a URL with a password in it.` });
  }
  for (const call of nodesOf(c.f, 'CallExpression')) {
    for (const [key, v] of callArgs(c.f, call).keywords) {
      const value = literal(c, v);
      if (value !== null && value.trim() !== '' && !PLACEHOLDER.test(value.trim()) && ((isSecretName(key) && !isSentence(value)) || CREDENTIAL_URL.test(value))) {
        c.emit(rule, v, { why: `${key}= is given a literal secret in source.` });
      }
    }
  }
  for (const s of c.f.src.includes('-') || c.f.src.includes('_') ? nodesOf(c.f, 'String') : []) {
    const value = stringValue(c.f, s);
    if (value !== null && TOKEN_SHAPE.test(value.trim())) c.emit(rule, s, { why: 'A string shaped like a live key or token (Stripe, GitHub, Slack, AWS, Google, OpenAI, a private key) is in source.' });
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
  if (!c.f.src.includes('*') && c.facts.wildcards.size === 0) return;
  for (const call of nodesOf(c.f, 'CallExpression')) {
    for (const key of ['allow_origins', 'allow_origin_regex', 'origins']) {
      const v = callArgs(c.f, call).keywords.get(key);
      if (!v) continue;
      if (hasStar(c, v)) c.emit('no-wildcard-cors', v);
      else {
        // allow_origins=settings.ALLOWED_HOSTS, where the settings set it to ["*"].
        const name = passedName(c, v);
        const where = name === null ? undefined : c.facts.wildcards.get(name.toLowerCase());
        if (where) c.emit('no-wildcard-cors', v, { why: `${key}= takes ${text(c.f, v)}, which is set to ["*"] at ${where}: any site may call the API from a browser.` });
      }
    }
  }
  if (isDevFile(c.f.rel)) return;
  for (const a of nodesOf(c.f, 'AssignStatement')) {
    const target = dotted(c.f, a.firstChild);
    // Origins only: CORS_HEADERS or CORS_METHODS = ["*"] do not open the API to other sites.
    if (target && /origin/i.test(lastSeg(target)) && lastKid(a) !== null && hasStar(c, lastKid(a)!) && !inDevSettings(c.f, a)) c.emit('no-wildcard-cors', a);
  }
}

/** The settings name a value is passed on from (`settings.DEBUG`, `config.allowed_hosts`, `APP_DEBUG`), or null. */
function passedName(c: FileCtx, v: SyntaxNode): string | null {
  const name = dotted(c.f, v);
  return name === null ? null : lastSeg(name);
}

function debugOn(c: FileCtx): void {
  const isTrue = (n: SyntaxNode | null | undefined): boolean => n?.name === 'Boolean' && text(c.f, n) === 'True';
  const dev = isDevFile(c.f.rel);
  for (const call of nodesOf(c.f, 'CallExpression')) {
    const kw = callArgs(c.f, call).keywords;
    for (const key of ['debug', 'echo']) {
      const v = kw.get(key);
      if (!v || dev) continue;
      const what = key === 'echo' ? 'echo=True logs every SQL statement with its values.' : 'debug=True returns tracebacks to clients.';
      if (isTrue(v)) c.emit('no-debug', v, { why: what });
      else {
        // echo=settings.APP_DEBUG, where the settings set APP_DEBUG = True.
        const name = passedName(c, v);
        const where = name === null ? undefined : c.facts.truthy.get(name.toLowerCase());
        if (where && /debug|echo/i.test(name!)) c.emit('no-debug', v, { why: `${key}= takes ${text(c.f, v)}, which is True at ${where}: ${what}` });
      }
    }
  }
  if (dev) return;
  for (const a of nodesOf(c.f, 'AssignStatement')) {
    const target = dotted(c.f, a.firstChild);
    if (target && /^debug$/i.test(lastSeg(target)) && isTrue(lastKid(a)) && !inDevSettings(c.f, a)) c.emit('no-debug', a);
  }
}
