/** The layers of the backend's architecture, in call order (endpoints → … → models), then schemas. */
export const LAYERS = ['endpoint', 'service', 'repository', 'model', 'schema'] as const;
export type Layer = (typeof LAYERS)[number];

/** What a path is in a FastAPI project laid out as the team expects. */
export type FileKind = Layer | 'migration' | 'test' | 'other';

const SOURCE_EXT = /\.(py|pyi|ts|tsx|js|mjs|cjs|sql|md|toml|json|ya?ml|ini|cfg|txt|sh|html|jinja2?|env)$/i;
const PATH = /[A-Za-z0-9_.@-]*(?:\/[A-Za-z0-9_.@-]+)*\.[A-Za-z0-9]+(?::\d+)?/g;

/**
 * Paths named in a line of prose, without `:line` suffixes. A token counts when it has a
 * folder or a source-file extension, so "e.g." and version numbers do not.
 */
export function pathsIn(text: string): string[] {
  const found: string[] = [];
  const quoted = [...text.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!);
  for (const token of [...quoted, ...(text.replaceAll(/`[^`\s]+`/g, ' ').match(PATH) ?? [])]) {
    const path = token.replace(/:\d+$/, '').replace(/^\.\//, '').replace(/[.,;:]+$/, '');
    if ((path.includes('/') || SOURCE_EXT.test(path)) && /\.[A-Za-z0-9]+$/.test(path) && !found.includes(path)) found.push(path);
  }
  return found;
}

/** The first path named in a line, if any. */
export function firstPath(text: string): string | undefined {
  return pathsIn(text)[0];
}

/** The layer (or other kind) of a file, from its folders and its name. */
export function kindOf(path: string): FileKind {
  const p = path.replaceAll('\\', '/');
  const name = p.slice(p.lastIndexOf('/') + 1);
  if (/(^|\/)tests?\//.test(p) || /^test_.*\.py$|_test\.py$|^conftest\.py$/.test(name)) return 'test';
  if (/(^|\/)(migrations|alembic)\//.test(p)) return 'migration';
  if (/Repository\.py$/.test(name) || /(^|\/)repositor(y|ies)\//.test(p)) return 'repository';
  if (/Service\.py$/.test(name) || /(^|\/)services?\//.test(p)) return 'service';
  if (/Schema\.py$/.test(name) || /(^|\/)schemas?\//.test(p)) return 'schema';
  if (/(^|\/)models?\//.test(p)) return 'model';
  if (/(^|\/)(endpoints?|routers?|routes|api)\//.test(p) || /Router\.py$/.test(name)) return 'endpoint';
  return 'other';
}

/** The architectural layers a set of files touches, in call order. */
export function layersOf(paths: readonly string[]): Layer[] {
  const kinds = new Set(paths.map(kindOf));
  return LAYERS.filter((l) => kinds.has(l));
}

/**
 * Where the tests of `path` go: `tests/test_order_service.py` for
 * `app/services/OrderService.py`, or `tests/services/test_order_service.py` when the
 * project's existing tests (`known`) mirror the source folders.
 */
export function testFileFor(path: string, known: readonly string[] = []): string {
  const parts = path.split('/');
  const name = parts[parts.length - 1]!.replace(/\.[^.]+$/, '');
  const snake = name
    .replaceAll(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replaceAll(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();
  const root = known[0]?.split('/')[0] ?? 'tests';
  const mirror = known.some((k) => k.split('/').length >= 3) && parts.length >= 2;
  return mirror ? `${root}/${parts[parts.length - 2]}/test_${snake}.py` : `${root}/test_${snake}.py`;
}
