import { promises as fs } from 'node:fs';
import path from 'node:path';
import { dependencyBaseline } from '../checks/deps.js';
import type { StepInput } from '../handlers/types.js';
import { writeFileAtomic } from '../workspace/atomic.js';

const FILE = 'dependencies.json';

/**
 * Records the project's dependencies as the run begins (once: a re-run after a crash
 * keeps the first), so the checks can tell what was added without the conductor's approval.
 */
export async function recordDependencies(projectDir: string, runDir: string): Promise<void> {
  const file = path.join(runDir, FILE);
  if (await fs.access(file).then(() => true, () => false)) return;
  await fs.mkdir(runDir, { recursive: true });
  await writeFileAtomic(file, `${JSON.stringify(await dependencyBaseline(projectDir))}\n`);
}

/** The baseline, and the names the plan mentions near "dependenc…" (what the conductor approved with it). */
export async function readDependencies(runDir: string, input: StepInput): Promise<{ baseline: unknown; approved: string[] } | undefined> {
  const text = await fs.readFile(path.join(runDir, FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const approved = (input.plan ?? '')
    .split('\n')
    .filter((l) => /dependenc|requirement|package/i.test(l))
    .flatMap((l) => l.match(/[A-Za-z][A-Za-z0-9_.-]*/g) ?? [])
    .map((w) => w.toLowerCase());
  return { baseline: JSON.parse(text) as unknown, approved: [...new Set(approved)] };
}
