import type { RunContext } from '../../machines/backend-engineer/context.js';
import { SUBAGENTS } from '../../machines/backend-engineer/steps.js';
import type { RunMetrics } from '../agentlog/index.js';
import { classifyBug, reflect } from '../agentlog/index.js';


/** Sum of the counts whose key matches `pattern` (reports name their counts their own way). */
function countOf(counts: Record<string, number>, pattern: RegExp): number {
  return Object.entries(counts).reduce((n, [k, v]) => (pattern.test(k) ? n + v : n), 0);
}

/**
 * The agent-log figures of a finished run, all read from what the run recorded
 * (Self-Improvement Protocol, "after every task"): nothing here is estimated.
 */
export function metricsOf(c: RunContext, now: number): RunMetrics {
  const history = c.findingsHistory;
  const validator = history.filter((h) => h.agent === 'architecture-validator');
  const layerCount = validator.reduce((n, h) => n + (countOf(h.counts, /layer|violation/i) || h.blocking), 0);
  const naming = history.filter((h) => countOf(h.counts, /naming/i) > 0).map((h) => `${h.agent}: ${h.summary}`);
  const security = history.filter((h) => h.agent === 'security-auditor');
  const subagents = SUBAGENTS.map((agent) => {
    const r = c.subagents[agent];
    if (!r) return { agent, finding: 'skipped', blocking: 0, counts: {} };
    if (r.status !== 'done') return { agent, finding: r.status === 'skipped' ? `skipped: ${r.summary}` : r.summary, blocking: 0, counts: {} };
    const earlier = history.filter((h) => h.agent === agent && h.round < c.implementRound && h.blocking > 0);
    const before = earlier.length ? ` (earlier rounds: ${earlier.map((h) => h.summary).join('; ')})` : '';
    return { agent, finding: `${r.summary}${before}`, blocking: earlier.reduce((n, h) => n + h.blocking, r.blocking), counts: r.counts };
  });
  const measured = {
    date: new Date(now).toISOString().slice(0, 10),
    task: c.task.subject,
    taskId: c.task.id,
    filesChanged: c.files.map((file) => ({ file, change: c.planFiles.includes(file) ? 'as planned' : 'changed' })),
    layerViolations: { count: layerCount, details: validator.filter((h) => h.blocking > 0).map((h) => h.summary) },
    namingDeviations: naming,
    subagents,
    firstPassSuccess: c.fixCycles === 0 && c.implementRound === 0,
    fixCycles: { count: c.fixCycles, fixed: c.fixed },
    planApprovedFirstTry: c.planApprovedFirstTry === true,
    planRevisions: c.revision,
    breakerBugs: { count: c.breakerBugs, classes: [...new Set(c.bugTitles.flatMap((t) => classifyBug(t)))] },
    sentinelPassedFirstTry: c.sentinelVerdicts[0] === 'PASS',
    securityFindings: {
      injection: security.reduce((n, h) => n + countOf(h.counts, /inject|sql/i), 0),
      total: security.reduce((n, h) => n + h.blocking, 0),
    },
  };
  return { ...measured, ...reflect(measured) };
}
