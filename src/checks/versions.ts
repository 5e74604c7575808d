import { promises as fs } from 'node:fs';
import path from 'node:path';
import { dependencyFiles, normName, parseDeps, readDependencyFile } from './deps.js';

/** A version the project pins, and where it says so. */
export interface Pin {
  /** Major (and for Python, minor) version: [1] for pydantic<2, [3, 9] for python ^3.9. */
  version: number[];
  /** `file:line: text` of the pin. */
  where: string;
}

/** What version-dependent rules need to know about the project. */
export interface ProjectVersions {
  /** The Pydantic major version the project is held to, when it pins one. */
  pydantic: Pin | null;
  /** The oldest Python the project supports, when it says. */
  python: Pin | null;
}

/** Lock files record the installed version exactly; they beat the ranges in pyproject/requirements. */
const LOCKS = ['poetry.lock', 'uv.lock', 'pdm.lock'];
const NEWEST_PYDANTIC = 2;

/**
 * The major version a requirement allows at most, from its range: `<2`, `<=1.10`, `==1.10.2`,
 * `^1.9`, `~=1.10`, `~1.9` hold it to 1; a range without an upper bound takes the newest (null).
 */
export function majorCeiling(spec: string): number | null {
  const s = spec.replace(/\s+/g, '');
  const majors: number[] = [];
  for (const m of s.matchAll(/(==|<=|~=|\^|~(?!=)|<)v?(\d+)(?:\.(\d+))?/g)) {
    const op = m[1]!;
    const major = Number(m[2]);
    const minor = m[3] === undefined ? null : Number(m[3]);
    if (op === '<') majors.push(minor === 0 || minor === null ? major - 1 : major);
    else if (op === '~=' && minor === null) continue; // ~=2 is not valid; ignore
    else majors.push(major);
  }
  return majors.length === 0 ? null : Math.min(...majors);
}

/** The oldest Python version a range allows: `>=3.8`, `^3.9`, `~=3.10`, `3.11.*`, `>3.7`. */
export function pythonFloor(spec: string): number[] | null {
  const s = spec.replace(/\s+/g, '').replace(/^["']|["']$/g, '');
  const m = /(>=|\^|~=|~|==|>)?(\d+)\.(\d+)/.exec(s);
  if (!m) return null;
  const v = [Number(m[2]), Number(m[3])];
  return m[1] === '>' ? [v[0]!, v[1]! + 1] : v;
}

const older = (a: number[], b: number[]): boolean => a[0]! < b[0]! || (a[0] === b[0] && (a[1] ?? 0) < (b[1] ?? 0));

/** Reads the project's pins from its lock files, pyproject.toml and requirements files, anywhere in the tree. */
export async function projectVersions(projectDir: string): Promise<ProjectVersions> {
  const out: ProjectVersions = { pydantic: null, python: null };
  const files = await dependencyFiles(projectDir);
  for (const rel of files) {
    const src = await readDependencyFile(path.join(projectDir, rel));
    if (src === null) continue;
    const lines = src.split(/\r?\n/);
    for (const d of parseDeps(rel, src)) {
      if (d.name !== 'pydantic') continue;
      const version = /version\s*=\s*["']([^"']+)["']/.exec(d.spec.replace(/\\"/g, '"'))?.[1] ?? d.spec.replace(/^pydantic(\[[^\]]*\])?/i, '');
      // Without an upper bound, pip installs the newest: Pydantic 2.
      const major = majorCeiling(version) ?? NEWEST_PYDANTIC;
      if (out.pydantic === null || major < out.pydantic.version[0]!) out.pydantic = { version: [major], where: `${rel}:${d.line}: ${d.code}` };
    }
    lines.forEach((raw, i) => {
      const m = /^\s*(requires-python|python)\s*=\s*(.+)$/.exec(raw);
      if (!m || !rel.endsWith('pyproject.toml')) return;
      const floor = pythonFloor(m[2]!);
      if (floor && (out.python === null || older(floor, out.python.version))) out.python = { version: floor, where: `${rel}:${i + 1}: ${raw.trim()}` };
    });
  }
  for (const dir of new Set(['', ...files.map((f) => path.posix.dirname(f)).filter((d) => d !== '.')])) {
    for (const lock of LOCKS) {
      const rel = dir ? `${dir}/${lock}` : lock;
      const src = await fs.readFile(path.join(projectDir, rel), 'utf8').catch(() => null);
      const pin = src === null ? null : lockedVersion(src, 'pydantic');
      if (pin) out.pydantic = { version: [pin.major], where: `${rel}:${pin.line}: version = "${pin.version}"` };
    }
    const pv = await fs.readFile(path.join(projectDir, dir, '.python-version'), 'utf8').catch(() => null);
    const floor = pv === null ? null : pythonFloor(pv.trim());
    if (floor && (out.python === null || older(floor, out.python.version))) out.python = { version: floor, where: `${dir ? `${dir}/` : ''}.python-version:1: ${pv!.trim()}` };
  }
  return out;
}

/** `[[package]] name = "pydantic" version = "1.10.13"` in a poetry/uv/pdm lock. */
function lockedVersion(src: string, name: string): { major: number; version: string; line: number } | null {
  const lines = src.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^name\s*=\s*"([^"]+)"/.exec(lines[i]!);
    if (!m || normName(m[1]!) !== name) continue;
    for (let j = i + 1; j < Math.min(lines.length, i + 4); j++) {
      const v = /^version\s*=\s*"(\d+)[^"]*"/.exec(lines[j]!);
      if (v) return { major: Number(v[1]), version: /"([^"]+)"/.exec(lines[j]!)![1]!, line: j + 1 };
    }
  }
  return null;
}
