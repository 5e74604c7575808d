import { RULES } from './catalog.js';
import type { CheckAgent, CheckResult, Finding } from './types.js';

/** How many files the per-file table lists (the rest are counted in one line). */
const TOP_FILES = 20;

const count = (fs: readonly Finding[], pred: (f: Finding) => boolean): number => fs.filter(pred).length;

/**
 * A short report: counts per rule (blocking and advisory) and per file, then what was
 * switched off, unparsable files and notes, once. The full report stays behind
 * `--format report`; a big project's full report runs to hundreds of lines.
 */
export function renderSummary(result: CheckResult, agents: readonly CheckAgent[], project: string): string {
  const fs = result.findings.filter((f) => agents.includes(f.agent));
  const blocking = count(fs, (f) => f.blocking);
  const out = [
    '# Checks Summary',
    '',
    `- **Project**: ${project}`,
    `- **Files checked**: ${result.filesChecked}`,
    `- **Findings**: ${fs.length} (${blocking} blocking, ${fs.length - blocking} advisory)`,
    '',
  ];
  const rules = RULES.filter((r) => agents.includes(r.agent) && fs.some((f) => f.rule === r.id));
  if (rules.length > 0) {
    out.push('## By Rule', '| Rule | Sub-agent | Severity | Blocking | Advisory | Files |', '|------|-----------|----------|----------|----------|-------|');
    for (const r of rules) {
      const mine = fs.filter((f) => f.rule === r.id);
      out.push(`| ${r.id} | ${r.agent} | ${r.severity} | ${count(mine, (f) => f.blocking)} | ${count(mine, (f) => !f.blocking)} | ${new Set(mine.map((f) => f.file)).size} |`);
    }
    out.push('');
    const byFile = new Map<string, Finding[]>();
    for (const f of fs) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
    const files = [...byFile].sort((a, b) => count(b[1], (f) => f.blocking) - count(a[1], (f) => f.blocking) || b[1].length - a[1].length || a[0].localeCompare(b[0]));
    out.push('## By File', '| File | Blocking | Advisory | Rules |', '|------|----------|----------|-------|');
    for (const [file, mine] of files.slice(0, TOP_FILES)) {
      const per = RULES.filter((r) => mine.some((f) => f.rule === r.id)).map((r) => `${r.id} ${count(mine, (f) => f.rule === r.id)}`);
      out.push(`| ${file} | ${count(mine, (f) => f.blocking)} | ${count(mine, (f) => !f.blocking)} | ${per.join(', ')} |`);
    }
    if (files.length > TOP_FILES) out.push(`| … ${files.length - TOP_FILES} more files | ${files.slice(TOP_FILES).reduce((n, [, m]) => n + count(m, (f) => f.blocking), 0)} | ${files.slice(TOP_FILES).reduce((n, [, m]) => n + count(m, (f) => !f.blocking), 0)} | |`);
    out.push('');
  }
  out.push(...closingSections(result));
  out.push('The full report, finding by finding: `teamstate check --format report`.');
  return `${out.join('\n').trimEnd()}\n`;
}

/** Closing sections every report shares, printed once however many agents report: switched-off rules, unparsable files, notes. */
export function closingSections(r: CheckResult): string[] {
  const out: string[] = [];
  if (r.disabled.length > 0) out.push('## Rules Switched Off', ...r.disabled.map((d) => `- ${d.rule}: ${d.reason}`), '');
  if (r.unparsable.length > 0) out.push('## Unparsable Files', ...r.unparsable.map((u) => `- ${u.file}:${u.line}`), '');
  if (r.notes.length > 0) out.push('## Notes', ...r.notes.map((n) => `- ${n}`), '');
  return out;
}
