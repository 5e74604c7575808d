/**
 * A tiny mustache-like renderer for prompt templates:
 * `{{name}}`, `{{a.b}}`, `{{.}}` (the current item), `{{@n}}` (1-based index in a list),
 * `{{#name}}…{{/name}}` (each item of a list, or once when truthy) and
 * `{{^name}}…{{/name}}` (when empty or falsy). No escaping: prompts are markdown.
 *
 * The template is parsed once and values are inserted as they are, never parsed again,
 * so a message body holding `{{…}}` stays text.
 */

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'var'; name: string }
  | { kind: 'section'; name: string; inverted: boolean; children: Node[] };

/** A template that cannot be parsed (an unclosed or mismatched section). */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const TAG = /\{\{\s*([#^/]?)\s*([\w.@-]+|\.)\s*\}\}/g;

function parse(template: string): Node[] {
  const root: Node[] = [];
  const stack: { name: string; children: Node[] }[] = [{ name: '', children: root }];
  let last = 0;
  for (const m of template.matchAll(TAG)) {
    const top = stack[stack.length - 1]!;
    const [, sigil, name = ''] = m;
    let start = m.index;
    let end = m.index + m[0].length;
    if (sigil !== '') {
      // A section tag alone on its line takes the line with it, as in mustache.
      const lineStart = template.lastIndexOf('\n', start - 1) + 1;
      const after = /^[ \t]*(\r?\n|$)/.exec(template.slice(end));
      if (after && /^[ \t]*$/.test(template.slice(Math.max(lineStart, last), start)) && lineStart >= last) {
        start = lineStart;
        end += after[0].length;
      }
    }
    if (start > last) top.children.push({ kind: 'text', text: template.slice(last, start) });
    last = end;
    if (sigil === '#' || sigil === '^') {
      const node: Node = { kind: 'section', name, inverted: sigil === '^', children: [] };
      top.children.push(node);
      stack.push({ name, children: node.children });
    } else if (sigil === '/') {
      if (stack.length === 1 || top.name !== name) {
        throw new TemplateError(`{{/${name}}} closes ${stack.length === 1 ? 'nothing' : `{{#${top.name}}}`}`);
      }
      stack.pop();
    } else {
      top.children.push({ kind: 'var', name });
    }
  }
  if (stack.length > 1) throw new TemplateError(`{{#${stack[stack.length - 1]!.name}}} is never closed`);
  if (last < template.length) root.push({ kind: 'text', text: template.slice(last) });
  return root;
}

type Scope = { value: unknown; index?: number }[];

function lookup(scopes: Scope, name: string): unknown {
  const innermost = scopes[scopes.length - 1];
  if (name === '.') return innermost?.value;
  if (name === '@n') return innermost?.index !== undefined ? innermost.index + 1 : undefined;
  const [head = '', ...path] = name.split('.');
  for (let i = scopes.length - 1; i >= 0; i--) {
    const v = scopes[i]!.value;
    if (v !== null && typeof v === 'object' && head in v) {
      return path.reduce<unknown>((acc, key) => (acc !== null && typeof acc === 'object' ? (acc as Record<string, unknown>)[key] : undefined), (v as Record<string, unknown>)[head]);
    }
  }
  return undefined;
}

function show(value: unknown): string {
  if (value === undefined || value === null || value === false) return '';
  if (Array.isArray(value)) return value.map(show).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function truthy(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : Boolean(value);
}

function renderNodes(nodes: Node[], scopes: Scope): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'var') out += show(lookup(scopes, node.name));
    else {
      const value = lookup(scopes, node.name);
      if (node.inverted) {
        if (!truthy(value)) out += renderNodes(node.children, scopes);
      } else if (Array.isArray(value)) {
        value.forEach((item, index) => (out += renderNodes(node.children, [...scopes, { value: item, index }])));
      } else if (truthy(value)) {
        out += renderNodes(node.children, [...scopes, { value }]);
      }
    }
  }
  return out;
}

/** Renders `template` with `view`. Throws TemplateError when the template is malformed. */
export function renderTemplate(template: string, view: Record<string, unknown>): string {
  return renderNodes(parse(template), [{ value: view }]);
}
