import type { Subagent } from '../workspace/config-schema.js';
import type { Findings } from './types.js';

/**
 * Reading the sub-agents' reports (their definitions in ironclad's sub-agents/). Each
 * parser returns undefined when the text does not look like its report at all; the
 * caller then says so instead of guessing.
 */

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
type Severity = (typeof SEVERITIES)[number];

/** `- **Critical**: 2 issues`, `Violations: 3`, `**Failing:** 1`. */
function stated(text: string, label: string): number | undefined {
  let re = statedRe.get(label);
  // Not global, so one expression per label serves every report (exec keeps no position).
  if (!re) statedRe.set(label, (re = new RegExp(`^[\\s>#*_-]*${label}[*_\\s]*:[*_\\s]*(\\d+)`, 'im')));
  const m = re.exec(text);
  return m ? Number(m[1]) : undefined;
}
const statedRe = new Map<string, RegExp>();

/** Findings headed `[HIGH] …`, `[CRIT-001] …`, `[MED-002] …` (headings or list items). */
function tagged(text: string): Record<Severity, number> {
  const out: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  const re = /^\s*(?:#{1,6}|[-*+]|\d+[.)])\s*\**\[(CRITICAL|CRIT|HIGH|MEDIUM|MED|LOW)(?:-\d+)?\]/gim;
  for (const m of text.matchAll(re)) {
    const tag = m[1]!.toLowerCase();
    out[tag.startsWith('crit') ? 'critical' : tag.startsWith('med') ? 'medium' : (tag as Severity)]++;
  }
  return out;
}

function checklist(text: string): { checked: number; unchecked: number } {
  return {
    checked: (text.match(/^\s*[-*+]\s*\[[xX✓]\]/gm) ?? []).length,
    unchecked: (text.match(/^\s*[-*+]\s*\[ \]/gm) ?? []).length,
  };
}

function severityCounts(text: string): { counts: Record<Severity, number>; seen: boolean } {
  const tags = tagged(text);
  let seen = Object.values(tags).some((n) => n > 0);
  const counts = { ...tags };
  for (const s of SEVERITIES) {
    const n = stated(text, s);
    if (n === undefined) continue;
    seen = true;
    counts[s] = Math.max(n, tags[s]);
  }
  return { counts, seen };
}

const severityLine = (c: Record<Severity, number>) => SEVERITIES.map((s) => `${c[s]} ${s}`).join(', ');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function architecture(text: string): Findings | undefined {
  const violations = stated(text, 'violations');
  const layer = (text.match(/^\s*#{1,6}\s*\[ARCH-\d+\]/gim) ?? []).length;
  const namingPart = /^#{1,6}\s*naming[^\n]*\n([\s\S]*?)(?=^#{1,6}\s|(?![\s\S]))/im.exec(text)?.[1] ?? '';
  const naming = namingPart.split('\n').filter((l) => /^\s*\|/.test(l) && !/^\s*\|[\s|:-]*\|\s*$/.test(l)).length;
  // The table's header row is a row too.
  const namingRows = Math.max(0, naming - 1);
  if (violations === undefined && layer === 0 && !/architecture validation report|layer violations/i.test(text)) return undefined;
  const total = Math.max(violations ?? 0, layer + namingRows);
  return {
    blocking: total,
    counts: { violations: total, layer, naming: namingRows },
    summary: total === 0 ? 'no violations' : `${plural(total, 'violation')} (${layer} layer, ${namingRows} naming)`,
  };
}

function security(text: string): Findings | undefined {
  const { counts, seen } = severityCounts(text);
  if (!seen && !/security audit report/i.test(text)) return undefined;
  const blocking = counts.critical + counts.high;
  return { blocking, counts, summary: `${severityLine(counts)} (${blocking} blocking)` };
}

function review(text: string): Findings | undefined {
  const { counts, seen } = severityCounts(text);
  const issues = [...text.matchAll(/issues found[*_\s]*:[*_\s]*(\d+)/gi)].reduce((n, m) => n + Number(m[1]), 0);
  const verdicts = [...text.matchAll(/approved[*_\s]*:[*_\s]*(yes|no)/gi)].map((m) => m[1]!.toLowerCase());
  const required = stated(text, 'required changes');
  if (!seen && verdicts.length === 0 && !/code review report|issues found/i.test(text)) return undefined;
  const rejected = verdicts.filter((v) => v === 'no').length;
  let blocking = counts.critical + counts.high;
  // A reviewer who withholds approval blocks, even for issues it rated lower.
  if (rejected > 0 && blocking === 0) blocking = Math.max(1, required ?? 0);
  const total = Math.max(issues, SEVERITIES.reduce((n, s) => n + counts[s], 0));
  return {
    blocking,
    counts: { ...counts, issues: total, notApproved: rejected },
    summary: `${plural(total, 'issue')}: ${severityLine(counts)}${rejected ? '; not approved' : verdicts.length ? '; approved' : ''} (${blocking} blocking)`,
  };
}

function database(text: string): Findings | undefined {
  const { counts, seen } = severityCounts(text);
  const list = checklist(text);
  const stat = stated(text, 'blocking');
  if (!seen && stat === undefined && list.checked + list.unchecked === 0 && !/database (design )?report/i.test(text)) return undefined;
  const blocking = stat ?? list.unchecked + counts.critical + counts.high;
  return {
    blocking,
    counts: { ...counts, checked: list.checked, unchecked: list.unchecked },
    summary: `${list.checked}/${list.checked + list.unchecked} checklist items met (${blocking} blocking)`,
  };
}

function tests(text: string): Findings | undefined {
  const written = stated(text, 'tests (?:written|generated)') ?? stated(text, 'tests');
  const failing = stated(text, 'fail(?:ing|ed|ures)');
  const coverage = /coverage[*_\s]*:[*_\s]*(\d+(?:\.\d+)?)\s*%/i.exec(text);
  const list = checklist(text);
  const stat = stated(text, 'blocking');
  if (written === undefined && failing === undefined && !coverage && stat === undefined && !/test generation report/i.test(text)) return undefined;
  const blocking = stat ?? failing ?? 0;
  const counts: Record<string, number> = { tests: written ?? 0, failing: failing ?? 0, unchecked: list.unchecked };
  if (coverage) counts.coverage = Number(coverage[1]);
  return {
    blocking,
    counts,
    summary: `${plural(written ?? 0, 'test')} written, ${failing ?? 0} failing${coverage ? `, ${coverage[1]}% coverage` : ''} (${blocking} blocking)`,
  };
}

/** What each sub-agent's report must state to be read, in words for the person giving one. */
export const REPORT_FORMATS: Record<Subagent, string> = {
  'architecture-validator': 'an Architecture Validation Report stating "Violations: N" (or [ARCH-n] findings, or "Blocking: N")',
  'database-architect': 'a Database Report with a checklist of "- [x]" / "- [ ]" items, or "Blocking: N"',
  'code-reviewer': 'a Code Review Report stating "Issues found: N" and "Approved: yes|no", or [HIGH]/[MEDIUM] findings, or "Blocking: N"',
  'security-auditor': 'a Security Audit Report with "Critical: N", "High: N", … or [CRIT-001]-style findings, or "Blocking: N"',
  'test-generator': 'a Test Generation Report stating "Tests written: N" and "Failing: N" (or "Blocking: N")',
};

const PARSERS: Record<Subagent, (text: string) => Findings | undefined> = {
  'architecture-validator': architecture,
  'database-architect': database,
  'code-reviewer': review,
  'security-auditor': security,
  'test-generator': tests,
};

/**
 * Reduces a sub-agent's report to Findings. Blocking: any architecture violation
 * (layers and naming are both enforced rules), CRITICAL/HIGH security and review issues
 * (and a review that withholds approval), unchecked database checklist items, failing
 * generated tests. A report that states `Blocking: N` is taken at its word. A report that
 * cannot be read is marked `unreadable` (callers refuse it as a result); never throws.
 */
export function parseSubagentReport(agent: Subagent, text: string): Findings {
  const body = text.replace(/^\uFEFF/, '').replaceAll('\r\n', '\n');
  if (body.trim() === '') return { blocking: 0, counts: {}, summary: 'report not understood: the report is empty', unreadable: 'the report is empty' };
  try {
    const found = PARSERS[agent](body);
    if (found) {
      const stat = stated(body, 'blocking');
      return stat !== undefined ? { ...found, blocking: stat } : found;
    }
  } catch {
    // Fall through: an odd report is a finding to show, not a crash.
  }
  const first = body.trim().split('\n')[0]!.slice(0, 80);
  return { blocking: 0, counts: {}, summary: `report not understood: expected a ${agent} report, got "${first}"`, unreadable: `it does not read as a ${agent} report (it begins "${first}")` };
}
