import { makeTemp } from '../temp.js';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { checkProject, type CheckOptions, type Finding } from '../../src/checks/index.js';

/** Writes `files` (relative path → text; leading indentation common to all lines removed) into a new temp folder. */
export async function project(files: Record<string, string>): Promise<string> {
  const dir = await makeTemp('teamstate-checks-');
  for (const [rel, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fs.writeFile(path.join(dir, rel), dedent(text));
  }
  return dir;
}

/** Removes the indentation every non-blank line shares, and a leading newline. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n');
}

/** `rule file:line` of each finding, for compact assertions. */
export const where = (fs: Finding[]): string[] => fs.map((f) => `${f.rule} ${f.file}:${f.line}`);

/** Checks a project made of `files` with only `rules`, returning `rule file:line` of each finding. */
export async function fire(files: Record<string, string>, rules: string[], opts: CheckOptions = {}): Promise<string[]> {
  const dir = await project(files);
  return where((await checkProject(dir, { ...opts, rules })).findings);
}
