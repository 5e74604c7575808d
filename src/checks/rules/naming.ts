import type { SyntaxNode } from '@lezer/common';
import type { FileCtx } from '../context.js';
import { makeFinding } from '../context.js';
import { layerOf } from '../layout.js';
import { lineOf, nodesOf, type PyFile } from '../parse.js';
import { callArgs, defName, dotted, lastSeg } from '../py.js';
import type { Finding, Layer, Layout } from '../types.js';

export type NamedLayer = Exclude<Layer, 'endpoints'>;
const NAMED: readonly NamedLayer[] = ['models', 'schemas', 'repositories', 'services'];

const RULE: Record<NamedLayer, string> = {
  models: 'naming-model',
  schemas: 'naming-schema',
  repositories: 'naming-repository',
  services: 'naming-service',
};

const SUFFIX: Record<NamedLayer, string> = { models: '', schemas: 'Schema', repositories: 'Repository', services: 'Service' };

/** Suffixes a class of each layer may carry instead of the seed's one (UserRepo, UserCRUD, UserSvc). */
const CLASS_SUFFIX: Record<NamedLayer, RegExp> = {
  models: /$^/,
  schemas: /(Create|Update|Response|Base|InDB|InDb|Read|Out|In|Public|Schema|Request|Detail|Filter|Query|Patch|Payload|Param|Params)+$/,
  repositories: /(Repository|Repo|Crud|CRUD|Dao|DAO|Store)$/,
  services: /(Service|Svc|Manager)$/,
};

/** Helper modules each layer may hold besides entity files. */
const HELPER_STEM = /^(_.*|base.*|abstract.*|generic.*|common|core|rw.*|mixins?|enums?|types|utils?|helpers?|shared|responses?|pagination|deps|dependencies|exceptions|errors|constants|session|database|db|config|fields|validators)$/i;

/** Classes that are not an entity: bases, mixins, enums, errors, configs. */
const NOT_ENTITY_CLASS = /^(Base|Abstract|Generic|Core|Common|RW|Rw|Custom)[A-Z]|^(Base|Abstract|Generic|Config|Meta)$|(Base|Mixin|Meta|Config|Enum|Error|Exception|Type|Protocol)$/;
const NOT_ENTITY_BASE = /(Enum|Exception|Error|Protocol|TypedDict|NamedTuple)$/;

const split = (file: string): { dir: string; stem: string } => {
  const slash = file.lastIndexOf('/');
  return { dir: slash === -1 ? '' : file.slice(0, slash + 1), stem: file.slice(slash + 1).replace(/\.py$/, '') };
};

/** Top-level classes of a file that describe an entity (not bases, mixins, enums or errors). */
function entityClasses(f: PyFile): SyntaxNode[] {
  return nodesOf(f, 'ClassDefinition').filter((cls) => {
    if (cls.parent?.name !== 'Script' && cls.parent?.parent?.name !== 'Script') return false;
    if (NOT_ENTITY_CLASS.test(defName(f, cls))) return false;
    const bases = callArgs(f, cls).positional.map((b) => lastSeg(dotted(f, b) ?? ''));
    return !bases.some((b) => NOT_ENTITY_BASE.test(b));
  });
}

const singular = (w: string): string => (/ies$/.test(w) ? `${w.slice(0, -3)}y` : /[^s]s$/.test(w) ? w.slice(0, -1) : w);
const squash = (w: string): string => singular(w.replace(/[_-]/g, '').toLowerCase());

/** What a file of a layer should be, from the class it holds: the file and class names that agree. */
interface Verdict {
  /** The class the file is about. */
  cls: SyntaxNode;
  /** {Entity}{Suffix}: the file stem and class name wanted. */
  wanted: string;
  /** For schemas: the class names the seed asks for. */
  schemaClasses?: string[];
  fileOk: boolean;
  classOk: boolean;
}

function verdict(f: PyFile, layer: NamedLayer): Verdict | null {
  const { stem } = split(f.rel);
  if (HELPER_STEM.test(stem)) return null;
  const classes = entityClasses(f);
  if (classes.length === 0) return null; // a module of functions, or of bases: not an entity file
  const names = classes.map((c) => defName(f, c));
  if (layer === 'schemas') {
    const entities = names.map((n) => n.replace(CLASS_SUFFIX.schemas, '')).filter(Boolean);
    const counts = new Map<string, number>();
    for (const e of entities) counts.set(e, (counts.get(e) ?? 0) + 1);
    const stemEntity = stem.replace(/Schemas?$/, '');
    const entity = entities.find((e) => squash(e) === squash(stemEntity)) ?? [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
    if (!entity) return null;
    const wanted = `${entity}Schema`;
    const schemaClasses = [`${entity}Create`, `${entity}Update`, `${entity}Response`];
    return { cls: classes[0]!, wanted, schemaClasses, fileOk: stem === wanted, classOk: schemaClasses.some((s) => names.includes(s)) };
  }
  // The class the file is named for, else the first entity class.
  const i = Math.max(0, names.findIndex((n) => squash(n.replace(CLASS_SUFFIX[layer], '')) === squash(stem.replace(/_?(model|schema|repository|repo|crud|service|svc)s?$/i, ''))));
  const cls = classes[i]!;
  const name = names[i]!;
  const entity = name.replace(CLASS_SUFFIX[layer], '') || name;
  const wanted = `${entity}${SUFFIX[layer]}`;
  return { cls, wanted, fileOk: stem === wanted, classOk: name === wanted };
}

/** How far a project follows each layer's naming convention: files that fit, of the entity files. */
export function namingAdoption(files: readonly PyFile[], _layout: Layout): Record<NamedLayer, { following: number; total: number; adopted: boolean; suffix: string }> {
  const out = {} as Record<NamedLayer, { following: number; total: number; adopted: boolean; suffix: string }>;
  for (const layer of NAMED) {
    let following = 0;
    let total = 0;
    for (const f of files) {
      if (f.layer !== layer) continue;
      const v = verdict(f, layer);
      if (!v) continue;
      total++;
      if (v.fileOk) following++;
    }
    out[layer] = { following, total, adopted: following > 0 && following * 2 >= total, suffix: SUFFIX[layer] };
  }
  return out;
}

/** Naming rules on an existing file: the file and its class agree on {Entity}{Suffix}. */
export function namingRules(c: FileCtx): void {
  const layer = c.f.layer;
  if (layer === null || layer === 'endpoints' || !c.on(RULE[layer])) return;
  const v = verdict(c.f, layer);
  if (!v || (v.fileOk && v.classOk)) return;
  const { dir, stem } = split(c.f.rel);
  const blocking = c.facts.naming[layer] === 'enforce';
  const line = lineOf(c.f, v.cls.from);
  const className = defName(c.f, v.cls);
  if (!v.fileOk) {
    const renameClass = !v.classOk && layer !== 'schemas' ? ` and its class ${className} to ${v.wanted}` : '';
    c.emit(RULE[layer], line, {
      blocking,
      why: `${c.f.rel} holds ${className} but is not named {Entity}${SUFFIX[layer]}.py after it.`,
      fix: `Rename it to ${dir}${v.wanted}.py${renameClass}.`,
    });
    return;
  }
  c.emit(RULE[layer], line, {
    blocking,
    why: layer === 'schemas'
      ? `${c.f.rel} should define ${v.schemaClasses!.join('/')}; it has ${entityClasses(c.f).map((k) => defName(c.f, k)).join(', ')}.`
      : `${stem}.py holds class ${className}, not ${v.wanted}.`,
    fix: layer === 'schemas' ? `Name its schemas ${v.schemaClasses!.join(', ')}.` : `Rename the class to ${v.wanted}.`,
  });
}

// ---- Plans: paths only, before the files exist ----

/** What a planned file of this layer should be called, guessed from its name. */
function shouldBe(stem: string, layer: NamedLayer): string {
  let base = stem.replace(/_?(services?|svc|repository|repositories|repos?|schemas?|models?)$/i, '') || stem;
  if (/[^s]s$/.test(base)) base = base.slice(0, -1); // users → user
  const pascal = base
    .split(/[_\-\s]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
  return `${pascal}${SUFFIX[layer]}.py`;
}

const PASCAL = /^[A-Z][A-Za-z0-9]*$/;
function entityOf(stem: string, layer: NamedLayer): string | null {
  const suffix = SUFFIX[layer];
  if (!PASCAL.test(stem) || !stem.endsWith(suffix) || stem.length === suffix.length) return null;
  return stem.slice(0, stem.length - suffix.length);
}

const BY_NAME: readonly NamedLayer[] = ['services', 'repositories', 'schemas'];

/**
 * Naming and placement rules on a plan's file list, before the files exist: each path in
 * a models/schemas/repositories/services folder fits its layer's pattern, and a file
 * named for a layer ({Entity}Service.py …) sits in that layer's folder. Line 0.
 */
export function plannedNaming(paths: readonly string[], layout: Layout, enabled: ReadonlySet<string>, blocking = true): Finding[] {
  const out: Finding[] = [];
  for (const p of paths) {
    if (!p.endsWith('.py')) continue;
    const layer = layerOf(p, layout);
    const { dir, stem } = split(p);
    const other = BY_NAME.find((o) => o !== layer && layout[o][0] !== undefined && !layout[o][0]!.endsWith('.py') && entityOf(stem, o) !== null && enabled.has(RULE[o]));
    if (other) {
      out.push(makeFinding(RULE[other], p, 0, p, {
        blocking,
        why: `${p} is named like a ${other.replace(/ies$/, 'y').replace(/s$/, '')} file but is not in ${layout[other].join(' or ')}/.`,
        fix: `Move it to ${layout[other][0]}/${stem}.py.`,
      }));
      continue;
    }
    if (layer === null || layer === 'endpoints' || !enabled.has(RULE[layer])) continue;
    if (HELPER_STEM.test(stem) || entityOf(stem, layer) !== null) continue;
    out.push(makeFinding(RULE[layer], p, 0, p, {
      blocking,
      why: `${p} does not follow the ${layer} naming pattern {Entity}${SUFFIX[layer]}.py.`,
      fix: `Rename it to ${dir}${shouldBe(stem, layer)}.`,
    }));
  }
  return out;
}
