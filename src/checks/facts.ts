import type { SyntaxNode } from '@lezer/common';
import type { ChecksConfig } from '../workspace/config-schema.js';
import { lineOf, nodesOf, text, type PyFile } from './parse.js';
import { dotted, enclosing, defName, lastKid, lastSeg, stringValue } from './py.js';
import { namingAdoption, type NamedLayer } from './rules/naming.js';
import { envelopeAdoption } from './rules/response.js';
import type { Layout } from './types.js';
import type { ProjectVersions } from './versions.js';

/** Whether a convention's findings block a run (enforce) or are only reported (advise). */
export type Convention = 'enforce' | 'advise';

/** What the whole project says, gathered before any rule runs. */
export interface ProjectFacts {
  versions: ProjectVersions;
  /** Settings names set to `["*"]` (lower-cased last segment → `file:line`), outside dev/test settings. */
  wildcards: Map<string, string>;
  /** Settings names set to True, likewise. */
  truthy: Map<string, string>;
  naming: Record<NamedLayer, Convention>;
  envelope: Convention;
  /** Why each convention is enforced or advised, for the report's notes. */
  notes: string[];
}

/** Settings classes for development or tests may turn debug on; that is their purpose. */
const DEV_CLASS = /(^|[a-z_])(Dev|Development|Develop|Test|Testing|Tests|Local|Debug)(?=[A-Z_]|$)/;

/** Whether a node sits in a development or test settings class (`class DevelopmentConfig`, `class TestSettings`). */
export function inDevSettings(f: PyFile, n: SyntaxNode): boolean {
  for (let cls = enclosing(n, ['ClassDefinition']); cls; cls = enclosing(cls, ['ClassDefinition'])) {
    if (DEV_CLASS.test(defName(f, cls))) return true;
  }
  return false;
}

/** Files named for development or tests (settings/dev.py, config_test.py). */
export const isDevFile = (rel: string): boolean => /(^|[/_.-])(dev|development|local|test|testing)(\.py$|[/_.-])/i.test(rel);

const isWildcard = (f: PyFile, v: SyntaxNode): boolean => {
  if (v.name === 'String') return stringValue(f, v) === '*';
  if (!['ArrayExpression', 'TupleExpression', 'SetExpression'].includes(v.name)) return false;
  for (let k = v.firstChild; k; k = k.nextSibling) if (k.name === 'String' && stringValue(f, k) === '*') return true;
  return false;
};

/** Wildcard lists and True flags assigned anywhere, so a value passed on as `settings.X` is judged by what X is. */
function settingsValues(files: readonly PyFile[]): Pick<ProjectFacts, 'wildcards' | 'truthy'> {
  const wildcards = new Map<string, string>();
  const truthy = new Map<string, string>();
  for (const f of files) {
    if (isDevFile(f.rel)) continue;
    for (const a of nodesOf(f, 'AssignStatement')) {
      const target = dotted(f, a.firstChild);
      const value = lastKid(a);
      if (target === null || value === null || value === a.firstChild || inDevSettings(f, a)) continue;
      const name = lastSeg(target).toLowerCase();
      const where = `${f.rel}:${lineOf(f, a.from)}`;
      if (isWildcard(f, value) && !wildcards.has(name)) wildcards.set(name, where);
      if (value.name === 'Boolean' && text(f, value) === 'True' && !truthy.has(name)) truthy.set(name, where);
    }
  }
  return { wildcards, truthy };
}

/** Gathers the project's facts from all its parsed files. */
export function gatherFacts(files: readonly PyFile[], layout: Layout, versions: ProjectVersions, config?: ChecksConfig): ProjectFacts {
  const notes: string[] = [];
  const declared = config?.conventions ?? {};
  const adoption = namingAdoption(files, layout);
  const naming = {} as Record<NamedLayer, Convention>;
  for (const [layer, a] of Object.entries(adoption) as [NamedLayer, (typeof adoption)[NamedLayer]][]) {
    const mode = declared.naming ?? 'auto';
    naming[layer] = mode === 'auto' ? (a.adopted ? 'enforce' : 'advise') : mode;
    if (mode === 'auto' && a.total > 0 && !a.adopted) {
      notes.push(`${layer} naming is advisory: ${a.following} of ${a.total} ${layer} files follow the {Entity}${a.suffix}.py convention (set checks.conventions.naming to "enforce" to block on it)`);
    }
  }
  const env = envelopeAdoption(files);
  const envMode = declared.envelope ?? 'auto';
  const envelope: Convention = envMode === 'auto' ? (env.adopted ? 'enforce' : 'advise') : envMode;
  if (envMode === 'auto' && env.total > 0 && !env.adopted) {
    notes.push(`response-envelope is advisory: ${env.following} of ${env.total} route returns use the {code, data, message} envelope and no envelope helper is defined (set checks.conventions.envelope to "enforce" to block on it)`);
  }
  return { versions, ...settingsValues(files), naming, envelope, notes };
}
