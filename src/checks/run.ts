import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { ChecksConfig } from '../workspace/config-schema.js';
import { RULES, RULES_BY_ID } from './catalog.js';
import { fileCtx } from './context.js';
import { dependencyFindings } from './deps.js';
import { gatherFacts, type ProjectFacts } from './facts.js';
import { projectVersions, type ProjectVersions } from './versions.js';
import { findLayout, isSkipped, layerOf, pythonFiles } from './layout.js';
import { lineOf, parsePython, type PyFile } from './parse.js';
import { layerRules } from './rules/layer.js';
import { namingRules, plannedNaming } from './rules/naming.js';
import { neverRules } from './rules/never.js';
import { responseRules } from './rules/response.js';
import { securityRules } from './rules/security.js';
import type { CheckAgent, CheckOptions, CheckResult, Finding, Layout } from './types.js';

/** Files larger than this are not parsed (generated code, vendored bundles). */
const MAX_BYTES = 2 * 1024 * 1024;

interface Selection {
  enabled: Set<string>;
  disabled: { rule: string; reason: string }[];
  notes: string[];
}

/** The rules a run uses: by agent, by id, minus the config's disabled ones. Unknown ids in `rules` are a user error. */
export function selectRules(agents?: CheckAgent[], rules?: string[], config?: ChecksConfig): Selection {
  const notes: string[] = [];
  for (const id of rules ?? []) {
    if (!RULES_BY_ID.has(id)) throw new UserError(`unknown rule "${id}": expected one of ${RULES.map((r) => r.id).join(', ')}`);
  }
  const enabled = new Set(
    RULES.filter((r) => (!agents || agents.includes(r.agent)) && (!rules || rules.includes(r.id))).map((r) => r.id),
  );
  const disabled: Selection['disabled'] = [];
  for (const d of config?.disabled ?? []) {
    if (!RULES_BY_ID.has(d.rule)) notes.push(`checks.disabled names an unknown rule "${d.rule}"; known rules: ${RULES.map((r) => r.id).join(', ')}`);
    else if (enabled.delete(d.rule)) disabled.push(d);
  }
  return { enabled, disabled, notes };
}

/** Runs every enabled per-file rule over one parsed file. */
export function checkFile(f: PyFile, layout: Layout, enabled: ReadonlySet<string>, out: Finding[], facts: ProjectFacts): void {
  const c = fileCtx(f, enabled, out, facts, layout);
  layerRules(c, layout);
  namingRules(c);
  responseRules(c);
  neverRules(c);
  securityRules(c);
  if (f.errors.length > 0) c.emit('parse-error', lineOf(f, f.errors[0]!));
}

async function pool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, worker));
}

const toRel = (projectDir: string, file: string): string =>
  (path.isAbsolute(file) ? path.relative(projectDir, file) : path.normalize(file)).split(path.sep).join('/');

/** Reads and parses one file; problems go to `notes` (when given) and give null. */
async function readPython(dir: string, rel: string, layout: Layout, notes: string[] | null): Promise<PyFile | null> {
  const abs = path.join(dir, rel);
  const size = (await fs.stat(abs).catch(() => null))?.size;
  if (size === undefined) {
    notes?.push(`${rel}: no such file; it was not checked`);
    return null;
  }
  if (size > MAX_BYTES) {
    notes?.push(`${rel}: larger than ${MAX_BYTES} bytes; it was not checked`);
    return null;
  }
  try {
    return parsePython(rel, await fs.readFile(abs, 'utf8'), layerOf(rel, layout));
  } catch (e) {
    notes?.push(`${rel}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)}); it was not checked`);
    return null;
  }
}

/** An Alembic revision (`from alembic import op` with a `revision` id), in whatever folder it lives. */
const isMigration = (f: PyFile): boolean => /^from alembic import\b/m.test(f.src) && /^(down_)?revision\b/m.test(f.src);

/** Rules whose advice would break the project at the versions it pins are switched off, saying why. */
function versionGates(v: ProjectVersions, enabled: Set<string>, disabled: CheckResult['disabled']): void {
  if (v.pydantic && v.pydantic.version[0]! < 2 && enabled.delete('no-pydantic-v1')) {
    disabled.push({ rule: 'no-pydantic-v1', reason: `the project pins Pydantic ${v.pydantic.version[0]} (${v.pydantic.where}); the v2 advice would break it` });
  }
  const py = v.python?.version;
  if (py && (py[0]! < 3 || (py[0] === 3 && py[1]! < 10)) && enabled.delete('no-optional')) {
    disabled.push({ rule: 'no-optional', reason: `the project supports Python ${py.join('.')} (${v.python!.where}); \`X | None\` needs Python 3.10` });
  }
}

/** See index.ts. */
export async function runChecks(projectDir: string, opts: CheckOptions = {}): Promise<CheckResult> {
  const dir = path.resolve(projectDir);
  const stat = await fs.stat(dir).catch(() => null);
  if (!stat?.isDirectory()) throw new UserError(`${projectDir} is not a folder: give the project under work (the folder holding app/ or src/)`);
  const { enabled, disabled, notes } = selectRules(opts.agents, opts.rules, opts.config);
  const all = await pythonFiles(dir);
  const layout = findLayout(all, opts.config);
  const targets = opts.files ? [...new Set(opts.files.map((f) => toRel(dir, f)))].filter((f) => f.endsWith('.py')).sort() : all;
  const findings: Finding[] = [];
  const unparsable: CheckResult['unparsable'] = [];
  // Every file is read and parsed first: some rules need the whole project (conventions, settings values).
  const parsed = new Map<string, PyFile>();
  const wanted = new Set(targets);
  await pool([...new Set([...all, ...targets])], opts.concurrency ?? 16, async (rel) => {
    const f = await readPython(dir, rel, layout, wanted.has(rel) ? notes : null);
    if (f) parsed.set(rel, f);
  });
  const versions = await projectVersions(dir);
  versionGates(versions, enabled, disabled);
  const facts = gatherFacts([...parsed.values()], layout, versions, opts.config);
  notes.push(...facts.notes);
  for (const rel of targets) {
    const f = parsed.get(rel);
    if (!f) continue;
    if (isMigration(f)) continue; // Alembic revisions follow other rules, wherever their folder is
    if (f.errors.length > 0) unparsable.push({ file: rel, line: lineOf(f, f.errors[0]!) });
    const mine: Finding[] = [];
    try {
      checkFile(f, layout, enabled, mine, facts);
      findings.push(...mine);
    } catch (e) {
      // A rule tripping over an odd tree must not cost the other files their check.
      notes.push(`${rel}: the checks failed on this file (${e instanceof Error ? e.message : String(e)}); please report it`);
    }
  }
  if (opts.baseline && enabled.has('no-unapproved-dependency')) {
    findings.push(...(await dependencyFindings(dir, opts.baseline, opts.approvedDependencies)));
  }
  const order = new Map(RULES.map((r, i) => [r.id, i]));
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || order.get(a.rule)! - order.get(b.rule)!);
  unparsable.sort((a, b) => a.file.localeCompare(b.file));
  return { findings, filesChecked: targets.length, unparsable, layout, rules: [...enabled], disabled, notes };
}

/** See index.ts. */
export function runPlanned(paths: readonly string[], config?: ChecksConfig, layout?: Layout): Finding[] {
  const rel = paths.map((p) => p.replace(/\\/g, '/').replace(/^\.\//, '')).filter((p) => !isSkipped(p));
  const { enabled } = selectRules(undefined, undefined, config);
  const found = layout ?? findLayout(rel, config);
  // A plan names only some folders; the others are assumed beside them, under their usual names.
  const filled = { ...found };
  if (found.root !== '') {
    for (const [layer, dir] of [['services', 'services'], ['repositories', 'repositories'], ['schemas', 'schemas'], ['models', 'models']] as const) {
      if (filled[layer].length === 0) filled[layer] = [`${found.root}/${dir}`];
    }
  }
  return plannedNaming(rel, filled, enabled, config?.conventions?.naming !== 'advise');
}

