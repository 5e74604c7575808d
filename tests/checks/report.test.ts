import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkProject, dependencyBaseline, findingsOf, renderReport, type CheckResult } from '../../src/checks/index.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
let bad: CheckResult;
let clean: CheckResult;

beforeAll(async () => {
  const baseline = await dependencyBaseline(path.join(FIXTURES, 'fastapi-clean'));
  bad = await checkProject(path.join(FIXTURES, 'fastapi-violations'), { baseline });
  clean = await checkProject(path.join(FIXTURES, 'fastapi-clean'), { baseline });
});

describe('reports in the sub-agents\' own formats', () => {
  it('writes the Architecture Validation Report with compliance, structure, naming table and numbered violations', () => {
    const text = renderReport('architecture-validator', bad);
    expect(text).toMatch(/^# Architecture Validation Report\n\n## Summary\n- \*\*Compliant\*\*: 0\/9 checks passed\n- \*\*Violations\*\*: 9 issues found\n/);
    expect(text).toContain('✓ endpoints/ - app/api/v1/endpoints');
    expect(text).toContain('| app/models/order_model.py:7 | app/models/order_model.py holds Order but is not named {Entity}.py after it. | app/models/Order.py |');
    expect(text).toContain('### [ARCH-001] Endpoint bypasses Service layer\n- **File**: app/api/v1/endpoints/items.py:28\n- **Rule**: layer-endpoint-repository (HIGH, blocking)\n');
    expect(text).toContain('## Response Format Violations\n### [ARCH-005] Non-standard response format\n- **File**: app/api/v1/endpoints/users.py:29');
    expect(text).toContain('## Unparsable Files\n- app/utils/broken.py:2');
  });

  it('writes the Code Review Report per file, with approval and required changes', () => {
    const text = renderReport('code-reviewer', bad);
    expect(text).toMatch(/^# Code Review Report\n/);
    expect(text).toContain('## File: app/repositories/UserRepository.py\n\n### Issues Found: 1\n\n#### [HIGH] Missing type hints\n- **Line 12**: `async def get_by_email(self, email):  # planted: type-hints`');
    expect(text).toContain('### Approved: No\n### Required Changes: 4 (1 critical, 1 high, 2 medium)');
  });

  it('writes the Security Audit Report by severity', () => {
    const text = renderReport('security-auditor', bad);
    expect(text).toMatch(/^# Security Audit Report\n\n## Summary\n- \*\*Critical\*\*: 4 issues\n- \*\*High\*\*: 2 issues\n- \*\*Medium\*\*: 1 issues\n- \*\*Low\*\*: 0 issues\n/);
    expect(text).toContain('## Critical Issues\n### [CRIT-001] Hardcoded secret\n- **File**: app/config/settings.py:10');
    expect(text).toContain('### [HIGH-002] Dependency added without approval\n- **File**: pyproject.toml:13');
  });

  it('reports a clean project as compliant and approved', () => {
    expect(renderReport('architecture-validator', clean)).toContain('- **Compliant**: 9/9 checks passed\n- **Violations**: 0 issues found');
    expect(renderReport('code-reviewer', clean)).toContain('### Approved: Yes\n### Required Changes: 0\n');
    expect(renderReport('security-auditor', clean)).toContain('- **Critical**: 0 issues');
  });

  it('reduces a report to blocking count, counts and one line for the engine', () => {
    expect(findingsOf('code-reviewer', bad)).toEqual({
      blocking: 4,
      counts: { critical: 1, high: 1, medium: 3, low: 0, unparsable: 1 },
      summary: '5 issues (1 critical, 1 high, 3 medium) in 37 files; 4 blocking',
    });
    expect(findingsOf('architecture-validator', clean)).toEqual({
      blocking: 0,
      counts: { critical: 0, high: 0, medium: 0, low: 0, violations: 0, compliant: 9, checks: 9 },
      summary: '9/9 checks passed, 0 violations in 32 files',
    });
  });
});

describe('reports read back by the engine', () => {
  it('gives the same blocking count through the sub-agent report reader as findingsOf', async () => {
    const { parseSubagentReport } = await import('../../src/handlers/reports.js');
    for (const r of [bad, clean]) {
      for (const agent of ['architecture-validator', 'code-reviewer', 'security-auditor'] as const) {
        expect(parseSubagentReport(agent, renderReport(agent, r)).blocking).toBe(findingsOf(agent, r).blocking);
      }
    }
  });
});
