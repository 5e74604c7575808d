import { describe, expect, it } from 'vitest';
import { renderCleanReport } from '../../src/handlers/clean-reports.js';
import { withInterpretedOutput } from '../../src/handlers/output.js';
import { REPORT_FORMATS, parseSubagentReport } from '../../src/handlers/reports.js';
import { SUBAGENTS } from '../../src/workspace/config-schema.js';

describe('parseSubagentReport', () => {
  it('counts architecture violations, layer and naming, all blocking', () => {
    const report = `# Architecture Validation Report

## Summary
- **Compliant**: 10/13 checks passed
- **Violations**: 3 issues found

## Naming Convention Violations
| File | Issue | Should Be |
|------|-------|-----------|
| models/user_model.py | Wrong naming | models/User.py |

## Layer Violations
### [ARCH-001] Endpoint bypasses Service layer
- **File**: api/v1/endpoints/users.py:45
### [ARCH-002] Service raises HTTPException
- **File**: services/UserService.py:12
`;
    expect(parseSubagentReport('architecture-validator', report)).toEqual({
      blocking: 3,
      counts: { violations: 3, layer: 2, naming: 1 },
      summary: '3 violations (2 layer, 1 naming)',
    });
  });

  it('blocks on a layer violation even when the summary undercounts it', () => {
    const report = '## Summary\n- **Violations**: 0 issues found\n\n## Layer Violations\n### [ARCH-001] Endpoint uses the db session\n';
    expect(parseSubagentReport('architecture-validator', report).blocking).toBe(1);
  });

  it('blocks on critical and high security findings only', () => {
    const report = `# Security Audit Report

## Summary
- **Critical**: 1 issues
- **High**: 2 issues
- **Medium**: 4 issues
- **Low**: 0 issues

## Critical Issues
### [CRIT-001] Hardcoded Secret Key
`;
    expect(parseSubagentReport('security-auditor', report)).toEqual({
      blocking: 3,
      counts: { critical: 1, high: 2, medium: 4, low: 0 },
      summary: '1 critical, 2 high, 4 medium, 0 low (3 blocking)',
    });
    const mild = report.replace('**Critical**: 1', '**Critical**: 0').replace('**High**: 2', '**High**: 0').replace(/## Critical Issues[\s\S]*/, '');
    expect(parseSubagentReport('security-auditor', mild).blocking).toBe(0);
  });

  it('counts security findings from their headings when the summary is missing', () => {
    expect(parseSubagentReport('security-auditor', '### [HIGH-001] SQL injection\n### [MED-001] CORS *\n')).toMatchObject({ blocking: 1, counts: { high: 1, medium: 1 } });
  });

  it('reads a code review: critical and high block, and so does withholding approval', () => {
    const report = `# Code Review Report

## File: api/v1/endpoints/users.py

### Issues Found: 3

#### [HIGH] Missing type hints
#### [MEDIUM] Pydantic v1 Pattern
#### [LOW] Missing documentation

### Approved: No
### Required Changes: 2 (1 high, 1 medium)
`;
    expect(parseSubagentReport('code-reviewer', report)).toMatchObject({ blocking: 1, counts: { high: 1, medium: 1, low: 1, issues: 3, notApproved: 1 } });
    const lowOnly = report.replace('#### [HIGH] Missing type hints\n', '');
    expect(parseSubagentReport('code-reviewer', lowOnly).blocking).toBe(2);
    expect(parseSubagentReport('code-reviewer', lowOnly.replace('Approved: No', 'Approved: Yes')).blocking).toBe(0);
  });

  it('reads the database checklist: unchecked items block', () => {
    const report = '# Database Design Report\n\n## Schema Design Checklist\n- [x] All tables have primary keys\n- [ ] Appropriate indexes created — orders.customer_id\n- [X] Timestamps\n';
    expect(parseSubagentReport('database-architect', report)).toMatchObject({ blocking: 1, counts: { checked: 2, unchecked: 1 }, summary: '2/3 checklist items met (1 blocking)' });
  });

  it('reads the test generator: failing tests block, coverage is recorded', () => {
    const report = '# Test Generation Report\n\n## Summary\n- **Tests written**: 14\n- **Failing**: 2\n- **Coverage**: 78%\n';
    expect(parseSubagentReport('test-generator', report)).toEqual({
      blocking: 2,
      counts: { tests: 14, failing: 2, unchecked: 0, coverage: 78 },
      summary: '14 tests written, 2 failing, 78% coverage (2 blocking)',
    });
  });

  it('takes a stated Blocking count at its word', () => {
    expect(parseSubagentReport('test-generator', '## Summary\n- **Failing**: 2\n- **Blocking**: 0\n').blocking).toBe(0);
  });

  it.each(SUBAGENTS)('marks a %s report it does not understand as unreadable instead of throwing', (agent) => {
    expect(parseSubagentReport(agent, 'I looked at it and it seems fine!')).toEqual({
      blocking: 0,
      counts: {},
      summary: `report not understood: expected a ${agent} report, got "I looked at it and it seems fine!"`,
      unreadable: `it does not read as a ${agent} report (it begins "I looked at it and it seems fine!")`,
    });
    expect(parseSubagentReport(agent, '')).toMatchObject({ summary: 'report not understood: the report is empty', unreadable: 'the report is empty' });
  });

  it.each(SUBAGENTS)('never counts an unreadable %s report as a result: a command step with one fails, saying the expected format', async (agent) => {
    const handler = withInterpretedOutput(agent, async () => ({ status: 'done', output: { text: 'all good' } }));
    const outcome = await handler({} as never);
    expect(outcome).toEqual({ status: 'failed', reason: `the ${agent} report was not understood: it does not read as a ${agent} report (it begins "all good"); expected ${REPORT_FORMATS[agent]}` });
  });

  it.each(SUBAGENTS)('reads the clean %s report the instant handler gives as zero blocking', (agent) => {
    const findings = parseSubagentReport(agent, renderCleanReport(agent, ['app/services/A.py']));
    expect(findings.blocking).toBe(0);
    expect(findings.summary).not.toMatch(/not understood/);
  });
});
