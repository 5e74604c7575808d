import type { Findings } from '../handlers/types.js';
import { RULES, ruleInfo } from './catalog.js';
import { closingSections } from './summary.js';
import { LAYERS, SEVERITIES, type CheckAgent, type CheckResult, type Finding, type Layer, type Severity } from './types.js';
import { count } from '../words.js';

const cap = (s: Severity): string => s[0] + s.slice(1).toLowerCase();
/** Inline code that survives backticks in the code itself. */
const inline = (code: string): string => (code.includes('`') ? `\`\` ${code} \`\`` : `\`${code}\``);
const where = (f: Finding): string => (f.line > 0 ? `${f.file}:${f.line}` : `${f.file} (planned)`);
const of = (agent: CheckAgent, r: CheckResult): Finding[] => r.findings.filter((f) => f.agent === agent);

/**
 * States the blocking count outright: report readers (src/handlers/reports.ts) take a
 * stated `Blocking: N` at its word, so built-in and LLM reports are read the same way.
 */
const blockingLine = (fs: Finding[]): string => `- **Blocking**: ${fs.filter((f) => f.blocking).length}`;

function bySeverity(fs: Finding[]): Record<Severity, number> {
  const out = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 };
  for (const f of fs) out[f.severity]++;
  return out;
}

function item(f: Finding, id: string | null, fileLabel: 'File' | 'Line'): string[] {
  const info = ruleInfo(f.rule);
  return [
    id ? `### [${id}] ${info.title}` : `#### [${f.severity}] ${info.title}`,
    fileLabel === 'File' ? `- **File**: ${where(f)}` : `- **Line ${f.line}**: ${inline(f.code)}`,
    `- **Rule**: ${f.rule} (${f.severity}, ${f.blocking ? 'blocking' : 'advisory'})`,
    ...(fileLabel === 'File' ? [`- **Code**: ${inline(f.code)}`] : []),
    `- **Issue**: ${f.why}`,
    `- **Fix**: ${f.fix}`,
    '',
  ];
}

function recommendations(fs: Finding[]): string[] {
  const rules = RULES.filter((r) => fs.some((f) => f.rule === r.id));
  if (rules.length === 0) return [];
  return ['## Recommendations', ...rules.map((r, i) => `${i + 1}. ${r.title} (${fs.filter((f) => f.rule === r.id).length}): ${r.fix}`), ''];
}

/** The layers a rule is about: with none of them in the project, the rule cannot pass or fail. */
const NEEDS: Record<string, readonly Layer[]> = {
  'layer-endpoint-repository': ['endpoints'],
  'layer-endpoint-session': ['endpoints'],
  'layer-service-http': ['services', 'repositories'],
  'naming-model': ['models'],
  'naming-schema': ['schemas'],
  'naming-repository': ['repositories'],
  'naming-service': ['services'],
};
const applies = (id: string, r: CheckResult): boolean => (NEEDS[id] ?? LAYERS).some((l) => r.layout[l].length > 0);

/** Checks of an agent that ran (and apply to the project's layers), and how many of them found nothing. */
function compliance(agent: CheckAgent, r: CheckResult): { passed: number; total: number } {
  const ran = RULES.filter((x) => x.agent === agent && r.rules.includes(x.id) && applies(x.id, r));
  const failed = new Set(of(agent, r).map((f) => f.rule));
  return { passed: ran.filter((x) => !failed.has(x.id)).length, total: ran.length };
}

function architecture(r: CheckResult, withTail: boolean): string[] {
  const fs = of('architecture-validator', r);
  const { passed, total } = compliance('architecture-validator', r);
  const out = ['# Architecture Validation Report', '', '## Summary', `- **Compliant**: ${passed}/${total} checks passed`, `- **Violations**: ${fs.length} issues found`, blockingLine(fs), `- **Files checked**: ${r.filesChecked}`, ''];
  out.push('## Structure Analysis');
  for (const layer of LAYERS) {
    const dirs = r.layout[layer];
    const skipped = RULES.filter((x) => r.rules.includes(x.id) && !applies(x.id, r) && (NEEDS[x.id] ?? []).includes(layer)).map((x) => x.id);
    out.push(dirs.length > 0 ? `✓ ${layer}/ - ${dirs.join(', ')}` : `✗ ${layer}/ - not found${skipped.length > 0 ? ` (not counted: ${skipped.join(', ')})` : ''}`);
  }
  out.push('');
  const naming = fs.filter((f) => f.rule.startsWith('naming-'));
  if (naming.length > 0) {
    out.push('## Naming Convention Violations', '| File | Issue | Should Be |', '|------|-------|-----------|');
    for (const f of naming) {
      const target = /Rename it to (\S+?\.py)/.exec(f.fix)?.[1] ?? f.fix;
      out.push(`| ${where(f)} | ${f.why.replace(/\|/g, '\\|')} | ${target.replace(/\|/g, '\\|')} |`);
    }
    out.push('');
  }
  let n = 0;
  const numbered = (list: Finding[], heading: string): void => {
    if (list.length === 0) return;
    out.push(`## ${heading}`);
    for (const f of list) out.push(...item(f, `ARCH-${String(++n).padStart(3, '0')}`, 'File'));
  };
  const rank = (f: Finding): number => RULES.findIndex((x) => x.id === f.rule);
  numbered(fs.filter((f) => f.rule.startsWith('layer-')).sort((a, b) => rank(a) - rank(b)), 'Layer Violations');
  numbered(fs.filter((f) => f.rule === 'response-envelope'), 'Response Format Violations');
  return [...out, ...recommendations(fs), ...(withTail ? closingSections(r) : [])];
}

function codeReview(r: CheckResult, withTail: boolean): string[] {
  const fs = of('code-reviewer', r);
  const out = ['# Code Review Report', ''];
  const files = [...new Set(fs.map((f) => f.file))];
  if (files.length === 0) out.push(`No issues found in ${r.filesChecked} files.`, '');
  for (const file of files) {
    const mine = fs.filter((f) => f.file === file);
    out.push(`## File: ${file}`, '', `### Issues Found: ${mine.length}`, '');
    for (const f of mine) out.push(...item(f, null, 'Line'));
  }
  const required = fs.filter((f) => f.blocking);
  const counts = bySeverity(required);
  const parts = SEVERITIES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s.toLowerCase()}`);
  out.push(`### Approved: ${required.length === 0 ? 'Yes' : 'No'}`);
  out.push(`### Required Changes: ${required.length}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`);
  out.push(`### Blocking: ${required.length}`, '');
  return [...out, ...(withTail ? closingSections(r) : [])];
}

function security(r: CheckResult, withTail: boolean): string[] {
  const fs = of('security-auditor', r);
  const counts = bySeverity(fs);
  const out = ['# Security Audit Report', '', '## Summary', ...SEVERITIES.map((s) => `- **${cap(s)}**: ${counts[s]} issues`), blockingLine(fs), ''];
  const prefix: Record<Severity, string> = { CRITICAL: 'CRIT', HIGH: 'HIGH', MEDIUM: 'MED', LOW: 'LOW' };
  for (const s of SEVERITIES) {
    const list = fs.filter((f) => f.severity === s);
    if (list.length === 0) continue;
    out.push(`## ${cap(s)} Issues`);
    list.forEach((f, i) => out.push(...item(f, `${prefix[s]}-${String(i + 1).padStart(3, '0')}`, 'File')));
  }
  return [...out, ...recommendations(fs), ...(withTail ? closingSections(r) : [])];
}

/** The agent's report in the sub-agent's own format (see the sub-agent definitions). */
export function renderReport(agent: CheckAgent, result: CheckResult, withTail = true): string {
  const lines = agent === 'architecture-validator' ? architecture(result, withTail) : agent === 'code-reviewer' ? codeReview(result, withTail) : security(result, withTail);
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Several agents' reports one after the other, with the shared closing sections (unparsable files, notes) once at the end. */
export function renderReports(agents: readonly CheckAgent[], result: CheckResult): string {
  const tail = closingSections(result);
  const reports = agents.map((a) => renderReport(a, result, false));
  return `${reports.join('\n---\n\n')}${tail.length > 0 ? `\n---\n\n${tail.join('\n').trimEnd()}\n` : ''}`;
}

/** What decides the run's path: blocking count, counts by severity (and for the validator, checks), one line. */
export function findingsOf(agent: CheckAgent, result: CheckResult): Findings {
  const fs = of(agent, result);
  const sev = bySeverity(fs);
  const counts: Record<string, number> = { critical: sev.CRITICAL, high: sev.HIGH, medium: sev.MEDIUM, low: sev.LOW };
  if (result.unparsable.length > 0) counts.unparsable = result.unparsable.length;
  const blocking = fs.filter((f) => f.blocking).length;
  let summary: string;
  if (agent === 'architecture-validator') {
    const { passed, total } = compliance(agent, result);
    counts.violations = fs.length;
    counts.compliant = passed;
    counts.checks = total;
    summary = `${passed}/${total} checks passed, ${count(fs.length, 'violation')}`;
  } else {
    const parts = SEVERITIES.filter((s) => sev[s] > 0).map((s) => `${sev[s]} ${s.toLowerCase()}`);
    summary = fs.length === 0 ? 'no issues' : `${count(fs.length, 'issue')} (${parts.join(', ')})`;
  }
  summary += ` in ${count(result.filesChecked, 'file')}${blocking > 0 ? `; ${blocking} blocking` : ''}`;
  return { blocking, counts, summary };
}
