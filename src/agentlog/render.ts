import type { RunMetrics, SubagentResult } from './types.js';
import { DASH, ITEM_SEP, LABEL, NONE, SECTION, listItem, oneLine, plural, safeTaskId, slug, yesNo } from './format.js';

/**
 * One entry in exactly the seed's format (`## <date> — <summary> (task <id>)`, then What I
 * did / Architecture compliance / Sub-agents used / First-pass success / Communication
 * effectiveness / Backend-specific learnings (NEW) / What I'd do differently), with one
 * added line, `Security findings`, under Architecture compliance so the injection rule has
 * its figure. Free text is flattened to one line so it can never break the structure.
 * Ends with a newline.
 */
export function renderEntry(m: RunMetrics): string {
  const lines = [
    `## ${m.date}${DASH}${heading(m.task, m.taskId)}`,
    `### ${SECTION.did}`,
    ...bullets(m.filesChanged.map(fileLine)),
    `### ${SECTION.compliance}`,
    `- ${LABEL.layer}: ${figure(m.layerViolations.count, m.layerViolations.details)}`,
    `- ${LABEL.naming}: ${m.namingDeviations.length === 0 ? 'yes' : `no${DASH}${m.namingDeviations.map(listItem).join(ITEM_SEP)}`}`,
    `- ${LABEL.security}: ${m.securityFindings.total}${m.securityFindings.injection !== 0 ? `${DASH}injection ${m.securityFindings.injection}` : ''}`,
    `### ${SECTION.subagents}`,
    ...bullets(m.subagents.map(subagentLine)),
    `### ${SECTION.firstPass}: ${yesNo(m.firstPassSuccess)}`,
    `- ${LABEL.fixCycles}: ${figure(m.fixCycles.count, m.fixCycles.fixed)}`,
    ...(m.cost ? [`- ${LABEL.cost}: ${costLine(m.cost)}`] : []),
    `### ${SECTION.communication}`,
    // A "no" always states its revisions: read back, a bare "no" means one.
    `- ${LABEL.plan}: ${yesNo(m.planApprovedFirstTry)}${!m.planApprovedFirstTry || m.planRevisions !== 0 ? `${DASH}${plural(m.planRevisions, 'revision')}` : ''}`,
    `- ${LABEL.breaker}: ${m.breakerBugs.count}${m.breakerBugs.classes.length > 0 ? `${DASH}${m.breakerBugs.classes.map(slug).join(', ')}` : ''}`,
    `- ${LABEL.sentinel}: ${yesNo(m.sentinelPassedFirstTry)}`,
    `### ${SECTION.learnings}`,
    ...bullets(m.learnings.map(oneLine)),
    `### ${SECTION.differently}`,
    ...bullets(m.differently.map(oneLine)),
  ];
  return lines.join('\n') + '\n';
}

/** The summary line's text: `Add users endpoint (task t-17)`. */
export function heading(task: string, taskId: string): string {
  const summary = oneLine(task) || 'untitled task';
  const suffix = `(task ${safeTaskId(taskId)})`;
  // A summary that already names its id (engine passed "subject (task id)") is not doubled.
  return summary.endsWith(suffix) ? summary : `${summary} ${suffix}`;
}

function fileLine(f: { file: string; change: string }): string {
  const file = oneLine(f.file) || '(unnamed file)';
  const change = oneLine(f.change);
  return change === '' ? file : `${file}: ${change}`;
}

function bullets(items: string[]): string[] {
  const kept = items.map((i) => (i === '' ? '(unspecified)' : i));
  return kept.length === 0 ? [`- ${NONE}`] : kept.map((i) => `- ${i}`);
}

/** `N` or `N — a; b`: the figure first, so it reads back even when the details are odd. */
function figure(count: number, details: string[]): string {
  return details.length === 0 ? String(count) : `${count}${DASH}${details.map(listItem).join(ITEM_SEP)}`;
}

/** `agent: blocking N (k v, k v) — finding`, or `agent: skipped` for one not run. */
function subagentLine(s: SubagentResult): string {
  const agent = slug(s.agent);
  const finding = oneLine(s.finding) || '(no summary)';
  const counts = Object.entries(s.counts);
  if (finding === 'skipped' && s.blocking === 0 && counts.length === 0) return `${agent}: skipped`;
  const countText = counts.length === 0 ? '' : ` (${counts.map(([k, v]) => `${slug(k)} ${v}`).join(', ')})`;
  return `${agent}: blocking ${s.blocking}${countText}${DASH}${finding}`;
}

/** `$0.42 — 51200 in / 3200 out, 14 turns`; `?` first when a model had no price. */
function costLine(c: NonNullable<RunMetrics['cost']>): string {
  const usd = `${c.unknown ? '? + ' : ''}$${c.usd.toFixed(c.usd !== 0 && c.usd < 0.01 ? 4 : 2)}`;
  return `${usd}${DASH}${c.inputTokens} in / ${c.outputTokens} out, ${plural(c.turns, 'turn')}`;
}
