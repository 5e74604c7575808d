import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RULES, checkProject, dependencyBaseline } from '../../src/checks/index.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
const VIOLATIONS = path.join(FIXTURES, 'fastapi-violations');
const CLEAN = path.join(FIXTURES, 'fastapi-clean');

/** Where each rule was planted in tests/fixtures/fastapi-violations (each line carries `# planted: <rule>`). */
const PLANTED: [rule: string, file: string, line: number][] = [
  ['layer-endpoint-repository', 'app/api/v1/endpoints/items.py', 28],
  ['layer-endpoint-session', 'app/api/v1/endpoints/users.py', 34],
  ['layer-service-http', 'app/services/ItemService.py', 19],
  ['layer-endpoint-logic', 'app/api/v1/endpoints/items.py', 22],
  ['naming-model', 'app/models/order_model.py', 7],
  ['naming-schema', 'app/schemas/OrderSchema.py', 4],
  ['naming-repository', 'app/repositories/order_repo.py', 7],
  ['naming-service', 'app/services/orders.py', 5],
  ['response-envelope', 'app/api/v1/endpoints/users.py', 29],
  ['no-optional', 'app/schemas/UserSchema.py', 23],
  ['no-pydantic-v1', 'app/schemas/UserSchema.py', 33],
  ['no-blocking-in-async', 'app/services/UserService.py', 37],
  ['type-hints', 'app/repositories/UserRepository.py', 12],
  ['parse-error', 'app/utils/broken.py', 2],
  ['no-raw-sql', 'app/repositories/ItemRepository.py', 13],
  ['no-eval', 'app/core/security.py', 27],
  ['no-secret-in-response', 'app/schemas/UserSchema.py', 31],
  ['no-hardcoded-secret', 'app/config/settings.py', 10],
  ['no-wildcard-cors', 'app/main.py', 13],
  ['no-debug', 'app/main.py', 9],
  ['no-unapproved-dependency', 'pyproject.toml', 13],
];

const key = (x: { rule: string; file: string; line: number }): string => `${x.rule} ${x.file}:${x.line}`;
const sorted = (xs: string[]): string[] => [...xs].sort();

/** Every `# planted: <rule>` marker in the fixture, as rule file:line. */
async function markers(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await markers(dir, child)));
    else {
      const lines = (await fs.readFile(path.join(dir, child), 'utf8')).split('\n');
      lines.forEach((l, i) => {
        const m = /# planted: ([a-z0-9-]+)/.exec(l);
        if (m) out.push(`${m[1]} ${child}:${i + 1}`);
      });
    }
  }
  return out;
}

describe('the fixture FastAPI projects', () => {
  it('plants one instance of every rule, and the table here matches the markers in the files', async () => {
    expect(sorted(PLANTED.map(([rule]) => rule))).toEqual(sorted(RULES.map((r) => r.id)));
    expect(sorted(await markers(VIOLATIONS))).toEqual(sorted(PLANTED.map(([rule, file, line]) => key({ rule, file, line }))));
  });

  it('fires every rule exactly where it was planted, and nowhere else', async () => {
    const result = await checkProject(VIOLATIONS, { baseline: await dependencyBaseline(CLEAN) });
    expect(sorted(result.findings.map(key))).toEqual(sorted(PLANTED.map(([rule, file, line]) => key({ rule, file, line }))));
    expect(result.unparsable).toEqual([{ file: 'app/utils/broken.py', line: 2 }]);
  });

  it('finds nothing in the clean twin', async () => {
    const result = await checkProject(CLEAN, { baseline: await dependencyBaseline(CLEAN) });
    expect(result.findings).toEqual([]);
    expect(result.unparsable).toEqual([]);
    expect(result.filesChecked).toBeGreaterThan(20);
  });

  it('leaves the project\'s tests out (literal passwords and blocking calls are normal there)', async () => {
    const result = await checkProject(CLEAN);
    expect(result.findings.filter((f) => f.file.startsWith('tests/'))).toEqual([]);
  });

  it('finds the layer folders of the app/ layout', async () => {
    const { layout } = await checkProject(CLEAN, { rules: ['type-hints'] });
    expect(layout).toEqual({
      root: 'app',
      endpoints: ['app/api/v1/endpoints'],
      services: ['app/services'],
      repositories: ['app/repositories'],
      models: ['app/models'],
      schemas: ['app/schemas'],
      from: 'found',
    });
  });

  it('gives each finding its rule\'s agent, severity, the code line, why and how to fix', async () => {
    const result = await checkProject(VIOLATIONS, { rules: ['no-hardcoded-secret'] });
    expect(result.findings).toEqual([
      {
        rule: 'no-hardcoded-secret',
        agent: 'security-auditor',
        severity: 'CRITICAL',
        blocking: true,
        file: 'app/config/settings.py',
        line: 10,
        code: 'SECRET_KEY: str = "super-secret-signing-key-123"  # planted: no-hardcoded-secret',
        why: expect.stringContaining('SECRET_KEY'),
        fix: expect.stringContaining('environment'),
      },
    ]);
  });
});
