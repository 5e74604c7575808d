import { parser } from './grammar/parser.js';
import type { SyntaxNode, Tree } from '@lezer/common';
import type { Layer } from './types.js';

/** Node types the rules look at, gathered in the one walk over each tree. */
const COLLECTED = new Set([
  'ImportStatement',
  'FunctionDefinition',
  'ClassDefinition',
  'CallExpression',
  'AssignStatement',
  'FormatString',
  'BinaryExpression',
  'RaiseStatement',
  'MemberExpression',
  'Decorator',
  'String',
]);

/** One parsed Python file and what the rules need from it. */
export interface PyFile {
  /** Relative to the project, `/`-separated. */
  rel: string;
  src: string;
  tree: Tree;
  layer: Layer | null;
  /** Start offset of each line. */
  lineStarts: number[];
  /** Nodes of each collected type, in source order. */
  nodes: Map<string, SyntaxNode[]>;
  /** Offsets where the parser had to recover from an error. */
  errors: number[];
}

/** Parses a file once and gathers the nodes every rule uses. Never throws on bad Python. */
export function parsePython(rel: string, src: string, layer: Layer | null): PyFile {
  if (src.charCodeAt(0) === 0xfeff) src = src.slice(1); // a byte-order mark is not code
  const tree = parser.parse(src);
  const nodes = new Map<string, SyntaxNode[]>();
  for (const name of COLLECTED) nodes.set(name, []);
  const errors: number[] = [];
  const cursor = tree.cursor();
  for (;;) {
    const t = cursor.type;
    if (t.isError) errors.push(cursor.from);
    else if (COLLECTED.has(t.name)) nodes.get(t.name)!.push(cursor.node);
    if (cursor.firstChild()) continue;
    while (!cursor.nextSibling()) {
      if (!cursor.parent()) return { rel, src, tree, layer, lineStarts: lineStarts(src), nodes, errors };
    }
  }
}

function lineStarts(src: string): number[] {
  const starts = [0];
  for (let i = src.indexOf('\n'); i !== -1; i = src.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line of an offset. */
export function lineOf(f: PyFile, pos: number): number {
  let lo = 0;
  let hi = f.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (f.lineStarts[mid]! <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** The trimmed text of a 1-based line, cut to a readable length. */
export function lineText(f: PyFile, line: number): string {
  const start = f.lineStarts[line - 1] ?? 0;
  const end = f.lineStarts[line] ?? f.src.length;
  const text = f.src.slice(start, end).trim();
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** Source text of a node. */
export function text(f: PyFile, n: SyntaxNode): string {
  return f.src.slice(n.from, n.to);
}

/** Nodes of one collected type. */
export function nodesOf(f: PyFile, type: string): SyntaxNode[] {
  return f.nodes.get(type) ?? [];
}
