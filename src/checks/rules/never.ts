import type { SyntaxNode } from '@lezer/common';
import type { FileCtx } from '../context.js';
import { nodesOf, text } from '../parse.js';
import { callArgs, calleeName, callsIn, decoratorName, decorators, defName, dotted, enclosing, isAsync, lastSeg, params } from '../py.js';
import { qualify } from '../imports.js';

/** The code-reviewer's never-list: Optional[X], Pydantic v1, blocking calls in async code, missing type hints. */
export function neverRules(c: FileCtx): void {
  if (c.on('no-optional')) optional(c);
  if (c.on('no-pydantic-v1')) pydanticV1(c);
  if (c.on('no-blocking-in-async')) for (const fn of nodesOf(c.f, 'FunctionDefinition')) if (isAsync(fn)) blocking(c, fn);
  if (c.on('type-hints')) for (const fn of nodesOf(c.f, 'FunctionDefinition')) typeHints(c, fn);
}

/** Where a type sits decides the advice: only a field or parameter without a default needs `= None`. */
function optionalFix(c: FileCtx, m: SyntaxNode, inner: string, written: string): string {
  const typeDef = enclosing(m, ['TypeDef']);
  const owner = typeDef?.parent;
  if (owner?.name === 'FunctionDefinition') return `Write \`-> ${inner} | None\` instead of ${written}.`;
  const hasDefault = owner?.name === 'AssignStatement' ? owner.getChildren('AssignOp').length > 0 : owner?.name === 'ParamList' && /=/.test(c.f.src.slice(typeDef!.to, Math.min(c.f.src.length, typeDef!.to + 3)));
  if (hasDefault || !typeDef) return `Write \`${inner} | None\` instead of ${written}.`;
  return `Write \`${inner} | None = None\` instead of ${written} (without a default it is still a required field).`;
}

function optional(c: FileCtx): void {
  if (!c.f.src.includes('Optional') && !c.f.src.includes('Union')) return;
  for (const m of nodesOf(c.f, 'MemberExpression')) {
    if (m.lastChild?.name !== ']') continue;
    const obj = dotted(c.f, m.firstChild);
    const head = obj === null ? '' : qualify(obj, c.imported);
    if (!/(^|\.)(Optional|Union)$/.test(head) || (head.includes('.') && !/^(typing|typing_extensions)\./.test(head))) continue;
    const inner = c.f.src.slice(m.firstChild!.to + 1, m.to - 1).trim();
    if (lastSeg(head) === 'Optional') {
      c.emit('no-optional', m, { fix: optionalFix(c, m, inner, `Optional[${inner}]`) });
      continue;
    }
    // Union[X, None] (or Union[None, X]) is Optional[X] spelled out.
    const parts = splitTop(inner);
    if (parts.length < 2 || !parts.includes('None')) continue;
    const rest = parts.filter((p) => p !== 'None').join(' | ');
    c.emit('no-optional', m, {
      why: `Union[${inner}] is Optional spelled out; the team writes \`X | None\`.`,
      fix: optionalFix(c, m, rest, `Union[${inner}]`),
    });
  }
}

/** Splits `a, b[c, d], e` at its top-level commas. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if ('[({'.includes(ch)) depth++;
    else if ('])}'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

const V1_METHODS = new Set(['dict', 'from_orm', 'parse_obj', 'parse_raw']);
const V2_NAME: Record<string, string> = { dict: 'model_dump()', from_orm: 'model_validate(obj)', parse_obj: 'model_validate(data)', parse_raw: 'model_validate_json(raw)' };

function pydanticV1(c: FileCtx): void {
  const rule = 'no-pydantic-v1';
  const configs: SyntaxNode[] = [];
  for (const cls of nodesOf(c.f, 'ClassDefinition')) {
    if (defName(c.f, cls) === 'Config' && cls.parent?.name === 'Body' && cls.parent.parent?.name === 'ClassDefinition') {
      configs.push(cls);
      c.emit(rule, cls, { why: 'A nested `class Config` is the Pydantic v1 way to configure a model.', fix: 'Use model_config = ConfigDict(...) (SettingsConfigDict for settings).' });
    }
  }
  const inConfig = (n: SyntaxNode): boolean => configs.some((k) => n.from >= k.from && n.to <= k.to);
  if (c.f.src.includes('orm_mode')) {
    for (const a of nodesOf(c.f, 'AssignStatement')) {
      if (!inConfig(a) && a.firstChild && text(c.f, a.firstChild) === 'orm_mode') c.emit(rule, a, { fix: 'Use model_config = ConfigDict(from_attributes=True).' });
    }
    for (const call of nodesOf(c.f, 'CallExpression')) {
      if (!inConfig(call) && callArgs(c.f, call).keywords.has('orm_mode')) c.emit(rule, call, { fix: 'Use ConfigDict(from_attributes=True).' });
    }
  }
  for (const d of nodesOf(c.f, 'Decorator')) {
    const name = qualify(decoratorName(c.f, d), c.imported);
    if (/(^|\.)(validator|root_validator)$/.test(name) && (name.startsWith('pydantic') || !name.includes('.'))) {
      c.emit(rule, d, { why: `@${lastSeg(name)} is a Pydantic v1 validator.`, fix: 'Use @field_validator (or @model_validator) with @classmethod.' });
    }
  }
  for (const call of nodesOf(c.f, 'CallExpression')) {
    const callee = call.firstChild;
    if (callee?.name !== 'MemberExpression' || callee.lastChild?.name !== 'PropertyName') continue;
    const method = text(c.f, callee.lastChild);
    if (V1_METHODS.has(method)) c.emit(rule, call, { why: `.${method}() is the Pydantic v1 API.`, fix: `Use .${V2_NAME[method]!}.` });
  }
}

/** Calls (qualified through imports) that block the event loop; `*` matches any attribute. */
const BLOCKING = [
  'time.sleep', 'requests.*', 'urllib.request.urlopen', 'urllib3.*', 'http.client.*', 'subprocess.run', 'subprocess.call',
  'subprocess.check_call', 'subprocess.check_output', 'os.system', 'os.popen', 'psycopg2.connect', 'pymysql.connect',
  'sqlite3.connect', 'MySQLdb.connect', 'mysql.connector.connect', 'sqlalchemy.create_engine', 'redis.Redis',
  'redis.StrictRedis', 'redis.from_url', 'pymongo.MongoClient', 'smtplib.SMTP', 'smtplib.SMTP_SSL',
];
const isBlocking = (q: string): boolean =>
  BLOCKING.some((b) => (b.endsWith('.*') ? q.startsWith(b.slice(0, -1)) : q === b));

/** Names a database session goes by (`db`, `session`, `self.db`, `db_session`). */
const SESSION_NAME = /^(db|session|sess|db_session|dbsession|database)$|_session$/i;
/** Session methods that do I/O; an AsyncSession awaits them, a sync Session blocks. */
const SESSION_IO = new Set(['commit', 'flush', 'refresh', 'execute', 'scalar', 'scalars', 'rollback']);

function blocking(c: FileCtx, fn: SyntaxNode): void {
  const name = defName(c.f, fn);
  for (const call of callsIn(c.f, fn)) {
    const callee = calleeName(c.f, call);
    if (callee === null) continue;
    const q = qualify(callee, c.imported);
    const awaited = call.parent?.name === 'AwaitExpression';
    if (isBlocking(q)) {
      c.emit('no-blocking-in-async', call, { why: `${q}() blocks the event loop inside async def ${name}.` });
    } else if (callee === 'open' && !c.imported.has('open')) {
      c.emit('no-blocking-in-async', call, {
        why: `open() reads and writes the file synchronously inside async def ${name}.`,
        fix: 'Use aiofiles (async with aiofiles.open(...)) or run the file work in a thread (await asyncio.to_thread(...)).',
      });
    } else if (lastSeg(callee) === 'create_all' && /metadata$/.test(callee.slice(0, callee.lastIndexOf('.'))) && !awaited) {
      c.emit('no-blocking-in-async', call, {
        why: `${callee}() creates tables through a sync engine inside async def ${name}.`,
        fix: 'With an async engine: async with engine.begin() as conn: await conn.run_sync(Base.metadata.create_all).',
      });
    } else if (callee.includes('.') && SESSION_NAME.test(lastSeg(callee.slice(0, callee.lastIndexOf('.'))))) {
      const method = lastSeg(callee);
      if (method === 'query' || (SESSION_IO.has(method) && !awaited)) {
        c.emit('no-blocking-in-async', call, {
          why: `${callee}() is a sync SQLAlchemy session call inside async def ${name}: it blocks the event loop${method === 'query' ? '' : ' (an AsyncSession would be awaited)'}.`,
          fix: 'Use an AsyncSession and await it (await session.execute(select(...))), or make the function a plain def so FastAPI runs it in a thread.',
        });
      }
    }
  }
}

function typeHints(c: FileCtx, fn: SyntaxNode): void {
  const name = defName(c.f, fn);
  const isStatic = decorators(fn).some((d) => decoratorName(c.f, d) === 'staticmethod');
  const missing: string[] = [];
  params(c.f, fn).forEach((p, i) => {
    // A method's (or a bound Celery task's) first self/cls is never annotated.
    if (i === 0 && !isStatic && (p.name === 'self' || p.name === 'cls')) return;
    if (!p.annotation) missing.push(`${p.star}${p.name}`);
  });
  const hasReturn = fn.getChildren('TypeDef').length > 0;
  if (!hasReturn && name !== '__init__') missing.push('return type');
  if (missing.length === 0) return;
  c.emit('type-hints', fn, {
    why: `def ${name} has no type hint for ${missing.join(', ')}.`,
    fix: `Annotate ${missing.join(', ')} (e.g. \`def ${name}(...) -> ReturnType:\`).`,
  });
}
