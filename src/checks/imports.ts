import type { SyntaxNode } from '@lezer/common';
import { nodesOf, text, type PyFile } from './parse.js';

/** Several rules read a file's imports; they are gathered once per file. */
const CACHE = new WeakMap<PyFile, ImportedName[]>();

/** One imported name: what the local name refers to, fully qualified. */
export interface ImportedName {
  local: string;
  qualified: string;
  module: string;
  /** The import statement, for reporting it. */
  statement: SyntaxNode;
}

/** Every name imports bind: `import a.b as c` → c = a.b; `from x import y as z` → z = x.y. */
export function imports(f: PyFile): ImportedName[] {
  const cached = CACHE.get(f);
  if (cached) return cached;
  const out: ImportedName[] = [];
  for (const st of nodesOf(f, 'ImportStatement')) {
    const kids: SyntaxNode[] = [];
    for (let c = st.firstChild; c; c = c.nextSibling) kids.push(c);
    let i = 0;
    let module = '';
    if (kids[0]?.name === 'from') {
      i = 1;
      while (i < kids.length && kids[i]!.name !== 'import') module += text(f, kids[i++]!);
      i++;
    } else i = 1;
    // The rest: dotted names with optional `as alias`, separated by commas (parentheses allowed).
    let parts: string[] = [];
    let alias: string | null = null;
    let expectAlias = false;
    const flush = (): void => {
      if (parts.length === 0) return;
      const name = parts.join('.');
      const qualified = module ? `${module.endsWith('.') ? module : `${module}.`}${name}` : name;
      const local = alias ?? (module ? name : parts[0]!);
      out.push({ local, qualified: module || alias ? qualified : parts[0]!, module: module || name, statement: st });
      parts = [];
      alias = null;
    };
    for (; i < kids.length; i++) {
      const k = kids[i]!;
      if (k.name === ',') {
        flush();
        expectAlias = false;
      } else if (k.name === 'as') {
        expectAlias = true;
      } else if (k.name === 'VariableName') {
        if (expectAlias) alias = text(f, k);
        else parts.push(text(f, k));
        expectAlias = false;
      }
    }
    flush();
  }
  CACHE.set(f, out);
  return out;
}

/** Resolves the first segment of a dotted name through the file's imports. */
export function qualify(name: string, imported: ReadonlyMap<string, string>): string {
  const dot = name.indexOf('.');
  const head = dot === -1 ? name : name.slice(0, dot);
  const q = imported.get(head);
  return q === undefined ? name : q + (dot === -1 ? '' : name.slice(dot));
}

/** local name → qualified name, for `qualify`. */
export function importMap(f: PyFile): Map<string, string> {
  return new Map(imports(f).map((i) => [i.local, i.qualified]));
}
