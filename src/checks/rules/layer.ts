import type { SyntaxNode } from '@lezer/common';
import type { FileCtx } from '../context.js';
import { isWiringFile, mayBeWiringFile } from '../layout.js';
import { nodesOf, text } from '../parse.js';
import { imports, qualify } from '../imports.js';
import { bodyStatements, kids, callArgs, calleeName, dotted, lastSeg, namesIn, params, routeDecorator, someIn, walk } from '../py.js';
import type { Layout } from '../types.js';

const SESSION_TYPES = new Set(['AsyncConnection', 'scoped_session', 'async_scoped_session']);
/** Session types and the usual Annotated aliases of them (SessionDep, DbSession, DBDep). */
const isSessionType = (name: string): boolean => SESSION_TYPES.has(name) || /^(Async)?(Db|DB)?Session(Dep)?$|^(Db|DB)Dep$/.test(name);
const SESSION_FACTORY = /^(get_(async_)?(db|session|db_session|database|database_session|async_session)|SessionLocal|AsyncSessionLocal|async_session(_maker|_local)?|session_factory|sessionmaker|async_sessionmaker|create_engine|create_async_engine)$/;
const HTTP_NAMES = new Set(['HTTPException', 'JSONResponse', 'Response', 'status', 'Request', 'WebSocketException']);

/** Layer compliance: Endpoints → Services → Repositories → Models, and no business logic in endpoints. */
export function layerRules(c: FileCtx, layout: Layout): void {
  const layer = c.f.layer;
  const routes = nodesOf(c.f, 'FunctionDefinition').some((fn) => routeDecorator(c.f, fn) !== null);
  const wiring = isWiringFile(c.f.rel) || (mayBeWiringFile(c.f.rel) && !routes);
  if (layer === 'endpoints' && !wiring) {
    // Without a service layer there is nothing to delegate to: the project chose endpoints that do it all.
    const blocking = layout.services.length > 0 ? undefined : false;
    const note = blocking === false ? ' (The project has no service layer, so this is advisory.)' : '';
    if (c.on('layer-endpoint-repository')) endpointRepository(c, layout, blocking, note);
    if (c.on('layer-endpoint-session')) endpointSession(c, blocking, note);
  }
  if ((layer === 'services' || layer === 'repositories') && c.on('layer-service-http')) serviceHttp(c, layer);
  if (c.on('layer-endpoint-logic')) {
    for (const fn of nodesOf(c.f, 'FunctionDefinition')) if (routeDecorator(c.f, fn)) endpointLogic(c, fn);
  }
}

function endpointRepository(c: FileCtx, layout: Layout, blocking: boolean | undefined, note: string): void {
  const d = (why?: string): { blocking?: boolean; why?: string } => ({ ...(blocking === undefined ? {} : { blocking }), ...(note ? { why: `${why ?? 'An endpoint reaches a repository and skips the business rules in the service.'}${note}` } : why ? { why } : {}) });
  const folders = new Set(['repositories', 'repository', 'crud', ...layout.repositories.map((d) => d.slice(d.lastIndexOf('/') + 1).replace(/\.py$/, ''))]);
  const isRepoModule = (q: string): boolean => q.split('.').some((seg) => folders.has(seg) || /Repository$/.test(seg));
  const repoNames = new Set<string>();
  const repoImports: SyntaxNode[] = [];
  for (const i of imports(c.f)) {
    if (isRepoModule(i.qualified) || /Repo(sitory)?$/.test(i.local)) {
      repoNames.add(i.local);
      repoImports.push(i.statement);
    }
  }
  const isRepo = (name: string | null): boolean =>
    name !== null && (repoNames.has(name.split('.')[0]!) || /Repo(sitory)?$/.test(lastSeg(name)) || /(^|_)repo(sitory)?($|_)/i.test(lastSeg(name)));
  for (const fn of nodesOf(c.f, 'FunctionDefinition')) {
    for (const p of params(c.f, fn)) {
      if (p.annotation && namesIn(c.f, p.annotation).some((n) => isRepo(n))) c.emit('layer-endpoint-repository', p.node, d());
    }
  }
  for (const call of nodesOf(c.f, 'CallExpression')) {
    const callee = calleeName(c.f, call);
    const dep = callee !== null && lastSeg(callee) === 'Depends' ? dotted(c.f, callArgs(c.f, call).positional[0] ?? null) : null;
    if ((callee !== null && isRepo(callee) && lastSeg(callee) !== 'Depends') || (dep !== null && isRepo(dep))) {
      c.emit('layer-endpoint-repository', call, d());
    }
  }
  // A repository imported and not yet used still ties the endpoint module to the data layer.
  if (!c.has('layer-endpoint-repository')) for (const st of repoImports) c.emit('layer-endpoint-repository', st, d());
}

/** SQLAlchemy/SQLModel query builders: calling one in an endpoint is writing the query there. */
const QUERY_BUILDERS = new Set(['select', 'insert', 'update', 'delete', 'text', 'func']);

/**
 * An endpoint that uses a database session itself: calls a method on it (`session.exec`,
 * `db.query`, `db.commit`), opens one (`SessionLocal()`), or builds a query. A session that
 * is only passed on to a service is not direct access.
 */
function endpointSession(c: FileCtx, blocking: boolean | undefined, note: string): void {
  const rule = 'layer-endpoint-session';
  const d = (why?: string): { blocking?: boolean; why?: string } => ({ ...(blocking === undefined ? {} : { blocking }), ...(why || note ? { why: `${why ?? 'The endpoint uses a database session itself.'}${note}` } : {}) });
  for (const fn of nodesOf(c.f, 'FunctionDefinition')) {
    const sessions = new Set<string>();
    for (const p of params(c.f, fn)) {
      const dep = p.default?.name === 'CallExpression' && lastSeg(calleeName(c.f, p.default) ?? '') === 'Depends' ? dotted(c.f, callArgs(c.f, p.default).positional[0] ?? null) : null;
      if ((p.annotation && namesIn(c.f, p.annotation).some((n) => isSessionType(lastSeg(n)))) || (dep !== null && SESSION_FACTORY.test(lastSeg(dep)))) sessions.add(p.name);
    }
    if (sessions.size === 0) continue;
    walk(fn.getChild('Body') ?? fn, (n) => {
      if (n.name === 'FunctionDefinition' || n.name === 'LambdaExpression') return false;
      if (n.name === 'MemberExpression' && n.firstChild?.name === 'VariableName' && sessions.has(text(c.f, n.firstChild))) {
        c.emit(rule, n, d(`The endpoint uses its database session \`${text(c.f, n.firstChild)}\` directly (${text(c.f, n).slice(0, 60)}).`));
        return false;
      }
      return true;
    });
  }
  for (const call of nodesOf(c.f, 'CallExpression')) {
    const callee = calleeName(c.f, call);
    if (callee === null) continue;
    const q = qualify(callee, c.imported);
    if (lastSeg(callee) !== 'Depends' && SESSION_FACTORY.test(lastSeg(callee))) c.emit(rule, call, d('The endpoint opens a database session itself.'));
    else if (/^(sqlalchemy|sqlmodel)(\.|$)/.test(q) && QUERY_BUILDERS.has(lastSeg(q))) c.emit(rule, call, d(`The endpoint builds a query itself (${lastSeg(q)}).`));
  }
}

function serviceHttp(c: FileCtx, layer: 'services' | 'repositories'): void {
  const rule = 'layer-service-http';
  const where = layer === 'services' ? 'a service' : 'a repository';
  const d = { why: `HTTP concerns in ${where}: ${layer === 'services' ? 'services hold business logic and raise domain exceptions' : 'repositories hold data access'}; HTTPException and status codes belong to endpoints.` };
  const isHttpModule = (q: string): boolean => /^(fastapi|starlette)(\.|$)/.test(q);
  const httpName = (name: string | null): boolean => {
    if (name === null) return false;
    const q = qualify(name, c.imported);
    return isHttpModule(q) ? HTTP_NAMES.has(lastSeg(q)) || /\.status\./.test(q) : lastSeg(name) === 'HTTPException';
  };
  for (const r of nodesOf(c.f, 'RaiseStatement')) {
    const raised = kids(r)[1] ?? null;
    const target = raised?.name === 'CallExpression' ? calleeName(c.f, raised) : dotted(c.f, raised);
    if (target !== null && lastSeg(target) === 'HTTPException') c.emit(rule, r, d);
  }
  for (const call of nodesOf(c.f, 'CallExpression')) {
    if (httpName(calleeName(c.f, call)) || callArgs(c.f, call).keywords.has('status_code')) c.emit(rule, call, d);
  }
  for (const m of nodesOf(c.f, 'MemberExpression')) {
    const name = dotted(c.f, m);
    if (name !== null && (/(^|\.)status\.HTTP_\d/.test(name) || /^HTTPStatus\./.test(name))) c.emit(rule, m, d);
  }
  for (const a of nodesOf(c.f, 'AssignStatement')) {
    const target = a.firstChild;
    if (target && /(^|\.)status_code$/.test(dotted(c.f, target) ?? '')) c.emit(rule, a, d);
  }
  if (c.has(rule)) return;
  for (const i of imports(c.f)) if (isHttpModule(i.qualified) && (HTTP_NAMES.has(i.local) || i.local === 'fastapi')) c.emit(rule, i.statement, d);
}

/**
 * An endpoint may hold: a docstring, assignments and calls (delegating, shaping), returns,
 * raises, guards (`if not x: raise/return`, without comparisons), and try blocks whose
 * handlers only raise or return. Anything else (loops, with, comparisons, nested defs,
 * updates, deletes) is logic that belongs in a service.
 */
function endpointLogic(c: FileCtx, fn: SyntaxNode): void {
  const stmts = bodyStatements(fn.getChild('Body'));
  if (stmts[0]?.name === 'ExpressionStatement' && stmts[0].firstChild?.name === 'String') stmts.shift();
  const bad = firstLogic(stmts);
  if (bad) {
    c.emit('layer-endpoint-logic', bad, {
      why: `The endpoint ${text(c.f, fn.getChild('VariableName') ?? fn).trim()} does more than delegate to a service and shape the response (${describe(bad)}).`,
    });
  }
}

const exitsOnly = (stmts: SyntaxNode[]): boolean =>
  stmts.length > 0 && stmts.every((s) => s.name === 'RaiseStatement' || s.name === 'ReturnStatement' || s.name === 'PassStatement');

const compares = (n: SyntaxNode): boolean => someIn(n, (x) => x.name === 'CompareOp' || x.name === 'ArithOp');

function firstLogic(stmts: SyntaxNode[]): SyntaxNode | null {
  for (const s of stmts) {
    switch (s.name) {
      case 'ExpressionStatement':
      case 'AssignStatement':
      case 'ReturnStatement':
      case 'RaiseStatement':
      case 'PassStatement':
        continue;
      case 'IfStatement': {
        for (let k = s.firstChild; k; k = k.nextSibling) {
          if (k.name === 'Body') {
            if (!exitsOnly(bodyStatements(k))) return s;
          } else if (k.name !== 'if' && k.name !== 'elif' && k.name !== 'else' && compares(k)) return s;
        }
        continue;
      }
      case 'TryStatement': {
        let first = true;
        for (let k = s.firstChild; k; k = k.nextSibling) {
          if (k.name !== 'Body') continue;
          const inner = bodyStatements(k);
          const bad = first ? firstLogic(inner) : exitsOnly(inner) ? null : k;
          if (bad) return bad;
          first = false;
        }
        continue;
      }
      default:
        return s;
    }
  }
  return null;
}

function describe(s: SyntaxNode): string {
  const names: Record<string, string> = {
    ForStatement: 'a loop', WhileStatement: 'a loop', WithStatement: 'a with block', IfStatement: 'a decision',
    UpdateStatement: 'a computed update', FunctionDefinition: 'a nested function', ClassDefinition: 'a nested class',
    DeleteStatement: 'a delete', MatchStatement: 'a match', AssertStatement: 'an assertion', Body: 'error handling that does work',
  };
  return names[s.name] ?? s.name;
}
