import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkProject, dependencyBaseline, renderReports, renderSummary, type CheckResult } from '../../src/checks/index.js';
import { decodeText } from '../../src/checks/deps.js';

/** Small projects in the shapes real FastAPI projects have (tests/fixtures/real-shapes), each line to report marked. */
const SHAPES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/real-shapes');
const key = (x: { rule: string; file: string; line: number; blocking: boolean }): string => `${x.blocking ? 'expect' : 'advise'}: ${x.rule} ${x.file}:${x.line}`;

/** `# expect: <rule>` (blocking) and `# advise: <rule>` (advisory) markers, as findings would be written. */
async function markers(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await markers(dir, child)));
    else if (child.endsWith('.py')) {
      (await fs.readFile(path.join(dir, child), 'utf8')).split('\n').forEach((l, i) => {
        const m = /# (expect|advise): ([a-z0-9-]+)/.exec(l);
        if (m) out.push(`${m[1]}: ${m[2]} ${child}:${i + 1}`);
      });
    }
  }
  return out.sort();
}

describe('the checks on real-world project shapes', () => {
  it('reports exactly the marked lines of a feature-folder project, blocking or advisory as marked', async () => {
    const dir = path.join(SHAPES, 'feature-folders');
    const r = await checkProject(dir, { rules: undefined });
    const got = r.findings.filter((f) => f.rule !== 'type-hints').map(key).sort();
    expect(got).toEqual(await markers(dir));
    expect(r.unparsable).toEqual([]);
    expect(r.layout).toMatchObject({ endpoints: ['app/goals/router.py', 'app/notes/views.py'], services: ['app/goals/GoalsService.py'], repositories: ['app/goals/GoalsRepository.py', 'app/notes/crud.py'], models: ['app/notes/models.py'] });
  });

  it('reads the pins of backend/pyproject.toml and a UTF-16 requirements file, and switches off the advice that would break them', async () => {
    const dir = path.join(SHAPES, 'legacy-pins');
    const r = await checkProject(dir);
    expect(r.findings.filter((f) => f.rule === 'no-pydantic-v1' || f.rule === 'no-optional')).toEqual([]);
    expect(r.disabled.map((d) => d.rule)).toEqual(['no-pydantic-v1', 'no-optional']);
    expect(r.disabled[0]!.reason).toContain('backend/pyproject.toml:4');
    expect(r.disabled[1]!.reason).toContain('Python 3.9');
    const baseline = await dependencyBaseline(dir);
    expect(baseline.files['requirements.txt']!.deps).toEqual({ fastapi: 'fastapi==0.95.2', sqlalchemy: 'sqlalchemy==1.4.49' });
    expect(Object.keys(baseline.files)).toEqual(['backend/pyproject.toml', 'requirements.txt']);
  });

  it('decodes UTF-16 with and without a byte-order mark', () => {
    const le = Buffer.from('redis==5\n', 'utf16le');
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), le]))).toBe('redis==5\n');
    expect(decodeText(le)).toBe('redis==5\n');
    expect(decodeText(Buffer.from('\ufeffredis==5\n', 'utf8'))).toBe('redis==5\n');
  });

  it('summarises counts per rule and per file, and prints the shared sections once in the full report', async () => {
    const r: CheckResult = await checkProject(path.join(SHAPES, 'feature-folders'));
    const withBroken = { ...r, unparsable: [{ file: 'app/broken.py', line: 3 }] };
    const summary = renderSummary(withBroken, ['architecture-validator', 'code-reviewer', 'security-auditor'], 'demo');
    expect(summary).toContain('| no-blocking-in-async | code-reviewer | CRITICAL | 3 | 0 | 2 |');
    expect(summary).toContain('| app/goals/GoalsRepository.py |');
    expect(summary.split('\n').length).toBeLessThan(80);
    const full = renderReports(['architecture-validator', 'code-reviewer', 'security-auditor'], withBroken);
    expect(full.split('## Unparsable Files').length).toBe(2);
  });
});
