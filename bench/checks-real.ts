/**
 * Benchmark: the built-in checks on a folder of real projects (one sub-folder each).
 * Run: npx tsx bench/checks-real.ts <folder> [--json out.json]
 * Prints, per project, files, time and findings per rule; then per rule the totals
 * (blocking and advisory) over all projects. With --json, every finding is written to
 * out.json for reading them one by one (precision is judged by reading the code).
 * Not a test: the projects are not part of the repository and the machine is shared.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { RULES, checkProject, type Finding } from '../src/checks/index.js';

interface ProjectRun {
  project: string;
  files: number;
  ms: number;
  unparsable: number;
  findings: Finding[];
}

const count = (fs: Finding[], pred: (f: Finding) => boolean): number => fs.filter(pred).length;

async function main(): Promise<void> {
  const [folder, ...rest] = process.argv.slice(2);
  if (!folder) {
    console.error('usage: npx tsx bench/checks-real.ts <folder of projects> [--json out.json]');
    process.exitCode = 2;
    return;
  }
  const jsonAt = rest.indexOf('--json');
  const jsonOut = jsonAt >= 0 ? rest[jsonAt + 1] : undefined;
  const entries = (await fs.readdir(folder, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const runs: ProjectRun[] = [];
  for (const name of entries) {
    const t0 = performance.now();
    const r = await checkProject(path.join(folder, name));
    const ms = performance.now() - t0;
    runs.push({ project: name, files: r.filesChecked, ms, unparsable: r.unparsable.length, findings: r.findings });
    const per = RULES.map((x) => [x.id, count(r.findings, (f) => f.rule === x.id)] as const).filter(([, n]) => n > 0);
    console.log(`${name}: ${r.filesChecked} files, ${ms.toFixed(0)} ms, ${r.findings.length} findings (${count(r.findings, (f) => f.blocking)} blocking), ${r.unparsable.length} unparsable`);
    if (per.length > 0) console.log(`  ${per.map(([id, n]) => `${id} ${n}`).join(', ')}`);
  }
  const all = runs.flatMap((r) => r.findings);
  console.log('');
  console.log('| rule | findings | blocking | advisory | projects |');
  console.log('|---|---|---|---|---|');
  for (const x of RULES) {
    const mine = all.filter((f) => f.rule === x.id);
    if (mine.length === 0) continue;
    const projects = runs.filter((r) => r.findings.some((f) => f.rule === x.id)).length;
    console.log(`| ${x.id} | ${mine.length} | ${count(mine, (f) => f.blocking)} | ${count(mine, (f) => !f.blocking)} | ${projects} |`);
  }
  const files = runs.reduce((n, r) => n + r.files, 0);
  const ms = runs.reduce((n, r) => n + r.ms, 0);
  const slowest = [...runs].sort((a, b) => b.ms - a.ms)[0];
  console.log('');
  console.log(`${runs.length} projects, ${files} files, ${all.length} findings (${count(all, (f) => f.blocking)} blocking) in ${ms.toFixed(0)} ms; slowest ${slowest?.project ?? '-'} ${slowest?.ms.toFixed(0) ?? 0} ms`);
  if (jsonOut) {
    await fs.writeFile(jsonOut, `${JSON.stringify(runs, null, 1)}\n`);
    console.log(`findings written to ${jsonOut}`);
  }
}

void main();
