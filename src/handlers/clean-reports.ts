import type { Subagent } from '../workspace/config-schema.js';

const fileList = (files: readonly string[]) => (files.length ? files.map((f) => `- ${f}`).join('\n') : '- (no files)');

/**
 * A report in each sub-agent's own format that finds nothing: what the `instant` handler
 * answers, so demos and tests exercise the same reading as real reports.
 */
export function renderCleanReport(agent: Subagent, files: readonly string[]): string {
  switch (agent) {
    case 'architecture-validator':
      return `# Architecture Validation Report\n\n## Summary\n- **Compliant**: 5/5 checks passed\n- **Violations**: 0 issues found\n\n## Files checked\n${fileList(files)}\n\n## Layer Violations\nNone.\n`;
    case 'security-auditor':
      return `# Security Audit Report\n\n## Summary\n- **Critical**: 0 issues\n- **High**: 0 issues\n- **Medium**: 0 issues\n- **Low**: 0 issues\n\n## Files scanned\n${fileList(files)}\n`;
    case 'code-reviewer':
      return `# Code Review Report\n\n${(files.length ? files : ['(no files)']).map((f) => `## File: ${f}\n\n### Issues Found: 0\n\n### Approved: Yes\n### Required Changes: 0`).join('\n\n')}\n`;
    case 'database-architect':
      return `# Database Design Report\n\n## Summary\n- **Blocking**: 0 issues\n\n## Schema Design Checklist\n- [x] All tables have primary keys\n- [x] All foreign keys defined\n- [x] Appropriate indexes created\n- [x] Timestamps on all tables\n- [x] Migrations use timestamp naming\n`;
    case 'test-generator':
      return `# Test Generation Report\n\n## Summary\n- **Tests written**: ${Math.max(1, files.length) * 3}\n- **Failing**: 0\n- **Coverage**: 85%\n\n## Test Generation Checklist\n- [x] Happy path\n- [x] Validation errors\n- [x] Not found\n- [x] Authorization\n`;
  }
}
