import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { makeFinding } from './finding.js';
import { SKIP_DIRS } from './layout.js';
import type { DependencyBaseline, Finding } from './types.js';

/** One declared dependency: normalised name, its requirement text, where it is. */
export interface Dep {
  name: string;
  spec: string;
  line: number;
  code: string;
}

/** PEP 503 name normalisation: case and runs of -_. do not matter. */
export const normName = (n: string): string => n.toLowerCase().replace(/[-_.]+/g, '-');

const REQ_NAME = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/;

/** How deep dependency files are looked for (backend/pyproject.toml, services/api/requirements/base.txt). */
const MAX_DEPTH = 4;

/**
 * Dependency files of a project, wherever they are (backend/pyproject.toml too):
 * pyproject.toml, requirements*.txt|in, and *.txt|in in a requirements/ folder.
 * Environments, caches and node_modules are left out.
 */
export async function dependencyFiles(projectDir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string, depth: number): Promise<void> => {
    const entries = await fs.readdir(path.join(projectDir, rel), { withFileTypes: true }).catch(() => []);
    const inRequirements = rel === 'requirements' || rel.endsWith('/requirements');
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (depth < MAX_DEPTH && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.') && !e.name.endsWith('.egg-info')) await walk(child, depth + 1);
      } else if (e.isFile() && (e.name === 'pyproject.toml' || /^requirements.*\.(txt|in)$/.test(e.name) || (inRequirements && /\.(txt|in)$/.test(e.name)))) {
        out.push(child);
      }
    }
  };
  await walk('', 0);
  return out.sort();
}

/**
 * A dependency file's text: UTF-8, or UTF-16 (with a byte-order mark, or without one when
 * every other byte is zero, as Windows' `pip freeze > requirements.txt` writes it).
 */
export async function readDependencyFile(abs: string): Promise<string | null> {
  const buf = await fs.readFile(abs).catch(() => null);
  return buf === null ? null : decodeText(buf);
}

export function decodeText(buf: Buffer): string {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return Buffer.from(buf.subarray(2)).swap16().toString('utf16le');
  if (buf.length >= 4 && buf.length % 2 === 0) {
    let zeroOdd = 0;
    let zeroEven = 0;
    const n = Math.min(buf.length, 512);
    for (let i = 0; i < n; i += 2) {
      if (buf[i] === 0) zeroEven++;
      if (buf[i + 1] === 0) zeroOdd++;
    }
    if (zeroOdd > n / 4 && zeroEven === 0) return buf.toString('utf16le');
    if (zeroEven > n / 4 && zeroOdd === 0) return Buffer.from(buf).swap16().toString('utf16le');
  }
  const text = buf.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
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

export const parseDeps = (file: string, src: string): Dep[] => (file.endsWith('.toml') ? parsePyproject(src) : parseRequirements(src));
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The project's declared dependencies now: taken when a run begins, compared at each check. */
export async function dependencyBaseline(projectDir: string): Promise<DependencyBaseline> {
  const files: DependencyBaseline['files'] = {};
  for (const rel of await dependencyFiles(projectDir)) {
    const src = await readDependencyFile(path.join(projectDir, rel));
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
    const src = await readDependencyFile(path.join(projectDir, rel));
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
