import type { SyntaxNode } from '@lezer/common';
import { nodesOf, text, type PyFile } from './parse.js';

/** A node's children, comments left out (lezer keeps comments where they appear). */
export function kids(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) if (c.name !== 'Comment') out.push(c);
  return out;
}

/** The last child that is not a comment. */
export const lastKid = (n: SyntaxNode): SyntaxNode | null => kids(n).at(-1) ?? null;

/** `a.b.c` for a name or attribute chain; null for anything else (calls, subscripts). */
export function dotted(f: PyFile, n: SyntaxNode | null): string | null {
  if (!n) return null;
  if (n.name === 'VariableName') return text(f, n);
  if (n.name === 'MemberExpression') {
    const prop = n.lastChild;
    if (prop?.name !== 'PropertyName') return null;
    const obj = dotted(f, n.firstChild);
    return obj === null ? null : `${obj}.${text(f, prop)}`;
  }
  return null;
}

/** The callee of a call as a dotted name, or null. */
export function calleeName(f: PyFile, call: SyntaxNode): string | null {
  return dotted(f, call.firstChild);
}

/** The last segment of a dotted name. */
export const lastSeg = (name: string): string => name.slice(name.lastIndexOf('.') + 1);

/** A call's arguments: positional value nodes and keyword name → value node. */
export interface Args {
  positional: SyntaxNode[];
  keywords: Map<string, SyntaxNode>;
}

/** Splits an ArgList into positional and keyword arguments. */
export function args(f: PyFile, argList: SyntaxNode | null): Args {
  const out: Args = { positional: [], keywords: new Map() };
  if (!argList) return out;
  let group: SyntaxNode[] = [];
  const flush = (): void => {
    if (group.length === 0) return;
    if (group.length >= 3 && group[0]!.name === 'VariableName' && group[1]!.name === 'AssignOp') {
      out.keywords.set(text(f, group[0]!), group[2]!);
    } else if (group[0]!.name !== '*' && group[0]!.name !== '**') {
      out.positional.push(group[0]!);
    }
    group = [];
  };
  for (let c = argList.firstChild; c; c = c.nextSibling) {
    if (c.name === '(' || c.name === ')' || c.name === 'Comment') continue;
    if (c.name === ',') flush();
    else group.push(c);
  }
  flush();
  return out;
}

/** A call's arguments. */
export const callArgs = (f: PyFile, call: SyntaxNode): Args => args(f, call.getChild('ArgList'));

export interface Param {
  name: string;
  star: '' | '*' | '**';
  annotation: SyntaxNode | null;
  default: SyntaxNode | null;
  node: SyntaxNode;
}

/** The parameters of a function definition (bare `*` and `/` markers left out). */
export function params(f: PyFile, fn: SyntaxNode): Param[] {
  const list = fn.getChild('ParamList');
  const out: Param[] = [];
  if (!list) return out;
  let group: SyntaxNode[] = [];
  const flush = (): void => {
    let star: Param['star'] = '';
    let i = 0;
    if (group[0]?.name === '*' || group[0]?.name === '**') star = group[i++]!.name as '*' | '**';
    const nameNode = group[i];
    if (nameNode?.name === 'VariableName') {
      const typeDef = group[i + 1]?.name === 'TypeDef' ? group[i + 1]! : null;
      const assign = group.findIndex((g) => g.name === 'AssignOp');
      out.push({
        name: text(f, nameNode),
        star,
        annotation: typeDef?.lastChild ?? null,
        default: assign >= 0 ? (group[assign + 1] ?? null) : null,
        node: nameNode,
      });
    }
    group = [];
  };
  for (let c = list.firstChild; c; c = c.nextSibling) {
    if (c.name === '(' || c.name === ')' || c.name === 'Comment') continue;
    if (c.name === ',') flush();
    else group.push(c);
  }
  flush();
  return out;
}

/** A function or class's own name. */
export const defName = (f: PyFile, def: SyntaxNode): string => {
  const n = def.getChild('VariableName');
  return n ? text(f, n) : '';
};

/** Whether a function definition is `async def`. */
export const isAsync = (def: SyntaxNode): boolean => def.firstChild?.name === 'async';

/** The decorators of a function or class definition, as nodes. */
export function decorators(def: SyntaxNode): SyntaxNode[] {
  const parent = def.parent;
  return parent?.name === 'DecoratedStatement' ? parent.getChildren('Decorator') : [];
}

/** A decorator's dotted name (`router.get`) and its ArgList. */
export function decoratorName(f: PyFile, dec: SyntaxNode): string {
  const parts: string[] = [];
  for (let c = dec.firstChild; c; c = c.nextSibling) {
    if (c.name === 'VariableName') parts.push(text(f, c));
    else if (c.name === 'ArgList') break;
  }
  return parts.join('.');
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'api_route', 'route']);

/** The route decorator of an endpoint function (`@router.get(...)`, `@app.post(...)`), or null. */
export function routeDecorator(f: PyFile, fn: SyntaxNode): SyntaxNode | null {
  for (const d of decorators(fn)) {
    const name = decoratorName(f, d);
    if (name.includes('.') && HTTP_METHODS.has(lastSeg(name)) && d.getChild('ArgList')) return d;
  }
  return null;
}

/** The nearest enclosing node of one of these types, stopping at none. */
export function enclosing(n: SyntaxNode, types: readonly string[]): SyntaxNode | null {
  for (let p = n.parent; p; p = p.parent) if (types.includes(p.name)) return p;
  return null;
}

/** The function a node runs in (lambdas count as their own scope), or null at module/class level. */
export function enclosingFunction(n: SyntaxNode): SyntaxNode | null {
  const e = enclosing(n, ['FunctionDefinition', 'LambdaExpression']);
  return e?.name === 'FunctionDefinition' ? e : null;
}

/** Statements of a Body (a one-line body's simple statement included). */
export function bodyStatements(body: SyntaxNode | null): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  if (!body) return out;
  for (let c = body.firstChild; c; c = c.nextSibling) {
    if (c.name === ':' || c.name === 'Comment' || c.type.isError) continue;
    if (c.name === 'StatementGroup') {
      for (let s = c.firstChild; s; s = s.nextSibling) if (s.name !== ';') out.push(s);
    } else out.push(c);
  }
  return out;
}

/** Calls whose enclosing function is exactly `fn` (nested defs and lambdas excluded). */
export function callsIn(f: PyFile, fn: SyntaxNode): SyntaxNode[] {
  return nodesOf(f, 'CallExpression').filter((c) => c.from >= fn.from && c.to <= fn.to && enclosingFunction(c) === fn);
}

/** The string value of a plain (non-f) string literal, without prefix and quotes. */
export function stringValue(f: PyFile, n: SyntaxNode): string | null {
  if (n.name !== 'String') return null;
  const raw = text(f, n);
  const m = /^[a-zA-Z]*('''|"""|'|")([\s\S]*)\1$/.exec(raw);
  return m ? m[2]! : null;
}

/** Calls `visit` on every node under `n` (n included); returning false skips a node's children. */
export function walk(n: SyntaxNode, visit: (node: SyntaxNode) => boolean | void): void {
  if (visit(n) === false) return;
  for (let c = n.firstChild; c; c = c.nextSibling) walk(c, visit);
}

/** Whether any node under `n` satisfies `pred`. */
export function someIn(n: SyntaxNode, pred: (node: SyntaxNode) => boolean): boolean {
  let found = false;
  walk(n, (node) => {
    if (found) return false;
    if (pred(node)) found = true;
    return !found;
  });
  return found;
}

/** Every VariableName under `n`. */
export function namesIn(f: PyFile, n: SyntaxNode): string[] {
  const out: string[] = [];
  walk(n, (node) => {
    if (node.name === 'VariableName') out.push(text(f, node));
  });
  return out;
}
