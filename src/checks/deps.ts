import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { makeFinding } from './context.js';
import type { DependencyBaseline, Finding } from './types.js';

/** One declared dependency: normalised name, its requirement text, where it is. */
interface Dep {
  name: string;
  spec: string;
  line: number;
  code: string;
}

/** PEP 503 name normalisation: case and runs of -_. do not matter. */
const normName = (n: string): string => n.toLowerCase().replace(/[-_.]+/g, '-');

const REQ_NAME = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/;

/** Dependency files of a project: pyproject.toml, requirements*.txt and requirements/*.txt. */
export async function dependencyFiles(projectDir: string): Promise<string[]> {
  const out: string[] = [];
  const list = async (rel: string): Promise<string[]> => fs.readdir(path.join(projectDir, rel)).catch(() => [] as string[]);
  for (const name of await list('')) {
    if (name === 'pyproject.toml' || /^requirements.*\.(txt|in)$/.test(name)) out.push(name);
  }
  for (const name of await list('requirements')) if (/\.(txt|in)$/.test(name)) out.push(`requirements/${name}`);
  return out.sort();
}

/** Parses requirements lines (`name[extra]>=1  # comment`); options and includes are skipped. */
export function parseRequirements(src: string): Dep[] {
  const out: Dep[] = [];
  src.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line || line.startsWith('-')) return;
    const m = REQ_NAME.exec(line);
    if (m) out.push({ name: normName(m[1]!), spec: line.replace(/\s+/g, ''), line: i + 1, code: raw.trim() });
  });
  return out;
}

/**
 * Parses the dependency tables of a pyproject.toml: [project] dependencies,
 * [project.optional-dependencies], [dependency-groups] and Poetry's dependency tables.
 * Only the shapes those tables use are read (arrays of strings, `name = value` lines).
 */
export function parsePyproject(src: string): Dep[] {
  const out: Dep[] = [];
  let table = '';
  let inArray = false;
  const lines = src.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.replace(/\s#.*$/, '').trim();
    const header = /^\[\[?([^\]]+)\]\]?$/.exec(line);
    if (header) {
      table = header[1]!.trim().replace(/\s+/g, '').replace(/"/g, '');
      inArray = false;
      return;
    }
    const arrayTable = table === 'project.optional-dependencies' || table === 'dependency-groups';
    const poetry = /^tool\.poetry\.(dependencies|dev-dependencies|group\.[^.]+\.dependencies)$/.test(table);
    if (!inArray) {
      const kv = /^([A-Za-z0-9_."-]+)\s*=\s*(.*)$/.exec(line);
      if (!kv) return;
      const key = kv[1]!.replace(/"/g, '');
      if ((table === 'project' && key === 'dependencies') || arrayTable) {
        if (kv[2]!.startsWith('[')) {
          inArray = !unquoted(kv[2]!).includes(']');
          strings(kv[2]!).forEach((s) => push(s, i, raw));
        }
      } else if (poetry && key !== 'python') {
        out.push({ name: normName(key), spec: kv[2]!.replace(/\s+/g, ''), line: i + 1, code: raw.trim() });
      }
      return;
    }
    strings(line).forEach((s) => push(s, i, raw));
    if (unquoted(line).includes(']')) inArray = false;
  });
  function push(req: string, i: number, raw: string): void {
    const m = REQ_NAME.exec(req);
    if (m) out.push({ name: normName(m[1]!), spec: req.replace(/\s+/g, ''), line: i + 1, code: raw.trim() });
  }
  return out;
}

const unquoted = (s: string): string => s.replace(/"[^"]*"|'[^']*'/g, '');
const strings = (s: string): string[] => [...s.matchAll(/"([^"]*)"|'([^']*)'/g)].map((m) => m[1] ?? m[2] ?? '');

const parseDeps = (file: string, src: string): Dep[] => (file.endsWith('.toml') ? parsePyproject(src) : parseRequirements(src));
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The project's declared dependencies now: taken when a run begins, compared at each check. */
export async function dependencyBaseline(projectDir: string): Promise<DependencyBaseline> {
  const files: DependencyBaseline['files'] = {};
  for (const rel of await dependencyFiles(projectDir)) {
    const src = await fs.readFile(path.join(projectDir, rel), 'utf8').catch(() => null);
    if (src === null) continue;
    files[rel] = { sha256: sha256(src), deps: Object.fromEntries(parseDeps(rel, src).map((d) => [d.name, d.spec])) };
  }
  return { files };
}

/** Dependencies added or changed since the baseline, minus those the conductor approved. */
export async function dependencyFindings(projectDir: string, baseline: DependencyBaseline, approved: readonly string[] = []): Promise<Finding[]> {
  const ok = new Set(approved.map(normName));
  const before = new Map<string, string>();
  for (const f of Object.values(baseline.files)) for (const [n, s] of Object.entries(f.deps)) before.set(n, s);
  const out: Finding[] = [];
  for (const rel of await dependencyFiles(projectDir)) {
    const src = await fs.readFile(path.join(projectDir, rel), 'utf8').catch(() => null);
    if (src === null || baseline.files[rel]?.sha256 === sha256(src)) continue;
    for (const d of parseDeps(rel, src)) {
      if (ok.has(d.name)) continue;
      const was = baseline.files[rel]?.deps[d.name] ?? before.get(d.name);
      if (was === d.spec) continue;
      out.push(
        makeFinding('no-unapproved-dependency', rel, d.line, d.code, {
          why: was === undefined
            ? `${d.name} was added to ${rel} after the run began, without the conductor's approval.`
            : `${d.name} changed from ${was} to ${d.spec} after the run began, without the conductor's approval.`,
        }),
      );
    }
  }
  return out;
}
