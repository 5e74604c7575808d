import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ChecksConfig } from '../workspace/config-schema.js';
import { LAYERS, type Layer, type Layout } from './types.js';

/** Folders never checked: environments, caches, tests and migrations (their code follows other rules). */
export const SKIP_DIRS = new Set([
  '.git', '.hg', '.svn', 'node_modules', '__pycache__', '.venv', 'venv', 'env', '.env', '.tox', '.nox',
  '.mypy_cache', '.pytest_cache', '.ruff_cache', 'site-packages', 'build', 'dist', '.eggs',
  'tests', 'test', 'migrations', 'alembic', '.claude', '.idea', '.vscode', 'docs',
]);

/** Files that are tests, wherever they are. */
const isTestFile = (name: string): boolean => /^test_.*\.py$|_test\.py$|^conftest\.py$/.test(name);

/** Folder names that mark each layer when a project does not name its own. */
const LAYER_DIRS: Record<Layer, readonly string[]> = {
  endpoints: ['endpoints', 'routers', 'routes', 'controllers', 'views'],
  services: ['services', 'service', 'usecases', 'use_cases'],
  repositories: ['repositories', 'repository', 'repos', 'crud', 'dao', 'daos'],
  models: ['models', 'model'],
  schemas: ['schemas', 'schema', 'dto', 'dtos', 'serializers'],
};

/**
 * Files that are a layer by their name, where no folder of that layer holds them: the
 * single-file layers of small projects (crud.py, models.py) and the files of feature
 * folders (app/goals/GoalsService.py, incident/service.py, users/router.py).
 */
const LAYER_FILES: Record<Layer, RegExp> = {
  endpoints: /^(router|routers|routes|views|endpoints|controller|controllers|api)\.py$|^\w+(_router|_routes|_views|_endpoints|_controller|Controller|Router)\.py$/,
  services: /^(service|services)\.py$|^\w+(_service|Service|_services)\.py$/,
  repositories: /^(crud|repository|repositories|repo|dao)\.py$|^\w+(_repository|Repository|_repo|Repo|_crud|_dao)\.py$|^crud_\w+\.py$/,
  models: /^models\.py$|^\w+(_model|_models)\.py$/,
  schemas: /^(schemas|schema|dto|dtos|serializers)\.py$|^\w+(_schema|Schema|_schemas|_dto|Dto|DTO)\.py$/,
};

/** Whether a project-relative path lies where checks never look (tests, migrations, environments). */
export function isSkipped(rel: string): boolean {
  const parts = rel.split('/');
  const name = parts.pop() ?? '';
  return isTestFile(name) || parts.some((p) => SKIP_DIRS.has(p) || p.endsWith('.egg-info'));
}

/** Every Python file of the project (relative, `/`-separated, sorted), skipping SKIP_DIRS and symlinked folders. */
export async function pythonFiles(projectDir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(path.join(projectDir, rel), { withFileTypes: true });
    } catch {
      return; // unreadable folder: nothing to check there
    }
    const subdirs: Promise<void>[] = [];
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.endsWith('.egg-info')) subdirs.push(walk(child));
      } else if (e.isFile() && e.name.endsWith('.py') && !isTestFile(e.name)) out.push(child);
    }
    await Promise.all(subdirs);
  };
  await walk('');
  return out.sort();
}

const norm = (p: string): string => p.replace(/\\/g, '/').replace(/^\.\/+/, '').replace(/\/+$/, '');
const join = (a: string, b: string): string => (a ? `${a}/${norm(b)}` : norm(b));

/**
 * The project's layer folders: the config's when it names them, else found from the files.
 * A folder named like a layer (models/, services/, endpoints/ or routers/ …) is that layer;
 * when no endpoints folder exists, an `api/` folder is.
 */
export function findLayout(files: readonly string[], config?: ChecksConfig): Layout {
  const given = config?.layout ?? {};
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const found: Record<Layer, string[]> = { endpoints: [], services: [], repositories: [], models: [], schemas: [] };
  for (const d of dirs) {
    const base = d.slice(d.lastIndexOf('/') + 1);
    for (const layer of LAYERS) if (LAYER_DIRS[layer].includes(base)) found[layer].push(d);
  }
  if (found.endpoints.length === 0) {
    for (const d of dirs) if (d === 'api' || d.endsWith('/api')) found.endpoints.push(d);
  }
  const folders: Layout = { root: '', endpoints: [...found.endpoints], services: [...found.services], repositories: [...found.repositories], models: [...found.models], schemas: [...found.schemas], from: 'found' };
  for (const f of files) {
    if (layerOf(f, folders) !== null) continue;
    const name = f.slice(f.lastIndexOf('/') + 1);
    const layer = LAYERS.find((l) => LAYER_FILES[l].test(name));
    // By name only where the project has no folder for the layer (feature folders, single-file layers).
    if (layer && folders[layer].length === 0) found[layer].push(f);
  }
  // Nested matches (models/ inside another layer's folder) stay: the longest prefix wins in layerOf.
  const allFound = LAYERS.flatMap((l) => found[l]);
  const root = given.root !== undefined ? norm(given.root) : commonParent(allFound);
  const pick = (layer: Layer): string[] => {
    const named = given[layer];
    return named && named.length > 0 ? named.map((n) => join(root, n)) : found[layer].sort();
  };
  const anyGiven = LAYERS.some((l) => (given[l]?.length ?? 0) > 0) || given.root !== undefined;
  return {
    root,
    endpoints: pick('endpoints'),
    services: pick('services'),
    repositories: pick('repositories'),
    models: pick('models'),
    schemas: pick('schemas'),
    from: anyGiven ? 'config' : 'found',
  };
}

function commonParent(dirs: string[]): string {
  if (dirs.length === 0) return '';
  const parents = dirs.map((d) => d.split('/').slice(0, -1));
  const first = parents[0]!;
  let n = 0;
  while (n < first.length && parents.every((p) => p[n] === first[n])) n++;
  return first.slice(0, n).join('/');
}

/**
 * Files whose name says their layer whatever folder they are in: a feature folder named
 * like a layer (dispatch's `service/` feature holds views.py, models.py and service.py).
 */
const NAMED_FILE: Record<string, Layer> = {
  'views.py': 'endpoints', 'router.py': 'endpoints', 'routes.py': 'endpoints', 'endpoints.py': 'endpoints',
  'models.py': 'models', 'schemas.py': 'schemas', 'crud.py': 'repositories',
};

/** The layer a file belongs to: the layer whose folder is the longest prefix of its path (or that names the file itself). */
export function layerOf(file: string, layout: Layout): Layer | null {
  const named = NAMED_FILE[file.slice(file.lastIndexOf('/') + 1)];
  if (named && layout.from === 'found' && !layout[named].some((d) => file.startsWith(`${d}/`))) {
    const other = LAYERS.some((l) => l !== named && layout[l].some((d) => file.startsWith(`${d}/`)));
    if (other) return named;
  }
  let best: Layer | null = null;
  let bestLen = -1;
  for (const layer of LAYERS) {
    for (const d of layout[layer]) {
      if ((file === d || file.startsWith(`${d}/`)) && d.length > bestLen) {
        best = layer;
        bestLen = d.length;
      }
    }
  }
  return best;
}

/** Files in an endpoints folder that wire dependencies rather than serve routes. */
export const isWiringFile = (file: string): boolean => /(^|\/)(dependencies|deps)\.py$/.test(file);

/** Files that are wiring unless they define routes themselves (a router.py with @router.get is endpoints). */
export const mayBeWiringFile = (file: string): boolean => /(^|\/)(__init__|router|routers|api)\.py$/.test(file);
