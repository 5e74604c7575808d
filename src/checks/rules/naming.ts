import { makeFinding } from '../context.js';
import { layerOf } from '../layout.js';
import { lineOf, lineText, nodesOf, type PyFile } from '../parse.js';
import { defName } from '../py.js';
import type { Finding, Layer, Layout } from '../types.js';

type NamedLayer = Exclude<Layer, 'endpoints'>;

const RULE: Record<NamedLayer, string> = {
  models: 'naming-model',
  schemas: 'naming-schema',
  repositories: 'naming-repository',
  services: 'naming-service',
};

const SUFFIX: Record<NamedLayer, string> = { models: '', schemas: 'Schema', repositories: 'Repository', services: 'Service' };

/** Helper modules each layer may hold besides entity files. */
const HELPERS: Record<NamedLayer, ReadonlySet<string>> = {
  models: new Set(['base', 'mixins', 'enums', 'types']),
  schemas: new Set(['base', 'responses', 'common', 'pagination', 'mixins', 'enums', 'types']),
  repositories: new Set(['base']),
  services: new Set(['base']),
};

const PASCAL = /^[A-Z][A-Za-z0-9]*$/;

/** What a file of this layer should be called, guessed from its current name. */
function shouldBe(stem: string, layer: NamedLayer): string {
  const suffix = SUFFIX[layer];
  let base = stem.replace(/_?(services?|svc|repository|repositories|repos?|schemas?|models?)$/i, '') || stem;
  if (/[^s]s$/.test(base)) base = base.slice(0, -1); // users → user
  const pascal = base
    .split(/[_\-\s]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
  return `${pascal}${suffix}.py`;
}

interface Split {
  dir: string;
  stem: string;
}
const split = (file: string): Split => {
  const slash = file.lastIndexOf('/');
  const name = file.slice(slash + 1);
  return { dir: slash === -1 ? '' : file.slice(0, slash + 1), stem: name.replace(/\.py$/, '') };
};

const skipped = (stem: string, layer: NamedLayer): boolean => stem.startsWith('_') || HELPERS[layer].has(stem);

/** The entity a file name declares, or null when the name does not fit the layer's pattern. */
function entityOf(stem: string, layer: NamedLayer): string | null {
  const suffix = SUFFIX[layer];
  if (!PASCAL.test(stem) || !stem.endsWith(suffix) || stem.length === suffix.length) return null;
  return stem.slice(0, stem.length - suffix.length);
}

/** File-name rule for one path (no class checks): used for plans and for existing files alike. */
function nameFinding(file: string, layer: NamedLayer, line: number, code: string): Finding | null {
  const { dir, stem } = split(file);
  if (skipped(stem, layer) || entityOf(stem, layer) !== null) return null;
  const target = `${dir}${shouldBe(stem, layer)}`;
  return makeFinding(RULE[layer], file, line, code, {
    why: `${file} does not follow the ${layer} naming pattern {Entity}${SUFFIX[layer]}.py.`,
    fix: `Rename it to ${target}.`,
  });
}

const BY_NAME: readonly NamedLayer[] = ['services', 'repositories', 'schemas'];

/** A file whose name says it belongs to another layer ({Entity}Service.py outside services/), or null. */
function placementFinding(file: string, layer: Layer | null, layout: Layout, enabled: ReadonlySet<string>, line: number, code: string): Finding | null {
  const { stem } = split(file);
  for (const other of BY_NAME) {
    const home = layout[other][0];
    if (other === layer || home === undefined || entityOf(stem, other) === null || !enabled.has(RULE[other])) continue;
    return makeFinding(RULE[other], file, line, code, {
      why: `${file} is named like a ${other.replace(/ies$/, 'y').replace(/s$/, '')} file but is not in ${layout[other].join(' or ')}/.`,
      fix: `Move it to ${home}/${stem}.py.`,
    });
  }
  return null;
}

/** Naming rules on an existing file: its name, its place, and the classes its name promises. */
export function namingRules(f: PyFile, layout: Layout, enabled: ReadonlySet<string>, out: Finding[]): void {
  const layer = f.layer;
  const top = nodesOf(f, 'ClassDefinition').filter((c) => c.parent?.name === 'Script' || c.parent?.parent?.name === 'Script');
  // Findings point at the first class: the thing to rename, or the one that should be named for the entity.
  const line = top[0] ? lineOf(f, top[0].from) : 1;
  const code = top[0] ? lineText(f, line) : f.rel;
  const misplaced = placementFinding(f.rel, layer, layout, enabled, line, code);
  if (misplaced) {
    out.push(misplaced);
    return;
  }
  if (layer === null || layer === 'endpoints' || !enabled.has(RULE[layer])) return;
  const byName = nameFinding(f.rel, layer, line, code);
  if (byName) {
    out.push(byName);
    return;
  }
  const { stem } = split(f.rel);
  const entity = entityOf(stem, layer);
  if (entity === null) return; // a helper module
  const classes = new Set(top.map((c) => defName(f, c)));
  const wanted = layer === 'schemas' ? [`${entity}Create`, `${entity}Update`, `${entity}Response`] : [stem];
  if (wanted.some((w) => classes.has(w))) return;
  const has = [...classes].join(', ') || 'no classes';
  out.push(
    makeFinding(RULE[layer], f.rel, line, code, {
      why: `${f.rel} should define ${layer === 'schemas' ? wanted.join('/') : `class ${stem}`}; it has ${has}.`,
      fix: layer === 'schemas' ? `Name its schemas ${wanted.join(', ')}.` : `Name its class ${stem} (one entity per file).`,
    }),
  );
}

/**
 * Naming and placement rules on a plan's file list, before the files exist: each path in
 * a models/schemas/repositories/services folder fits its layer's pattern, and a file
 * named for a layer ({Entity}Service.py …) sits in that layer's folder. Line 0.
 */
export function plannedNaming(paths: readonly string[], layout: Layout, enabled: ReadonlySet<string>): Finding[] {
  const out: Finding[] = [];
  for (const p of paths) {
    if (!p.endsWith('.py')) continue;
    const layer = layerOf(p, layout);
    const misplaced = placementFinding(p, layer, layout, enabled, 0, p);
    if (misplaced) {
      out.push(misplaced);
      continue;
    }
    if (layer === null || layer === 'endpoints' || !enabled.has(RULE[layer])) continue;
    const f = nameFinding(p, layer, 0, p);
    if (f) out.push(f);
  }
  return out;
}
