import type { Adaptation, AgentLogConfig, LogEntry } from './types.js';
import { classifyBug, proactiveFor } from './bug-classes.js';
import { plural } from './format.js';

type RuleConfig = Pick<AgentLogConfig, 'window' | 'layerViolationTasks' | 'injectionTasks' | 'rejectedPlanTasks' | 'repeatedBugClassTasks'>;

/**
 * The seed's four "adapt your approach" rules over the last `cfg.window` readable
 * entries, each firing when its figure shows up in at least its configured number of
 * those tasks:
 * - layer violations → run architecture-validator before implementing as well as after
 * - injection findings → add sanitization proactively
 * - plans not approved first try → plans include more detail
 * - the same breaker bug class → address that class proactively (one adaptation per class)
 * Each reason names the figures and the tasks they came from.
 */
export function deriveAdaptations(entries: LogEntry[], cfg: RuleConfig): Adaptation[] {
  const recent = entries.filter((e) => e.valid).slice(-cfg.window);
  const out: Adaptation[] = [];
  const span = recent.length === 1 ? 'of 1 logged task' : `of the last ${recent.length} tasks`;

  const layered = hits(recent, layerViolations);
  if (layered.length >= cfg.layerViolationTasks && layered.length > 0) {
    out.push({
      rule: 'layer-violations',
      instruction:
        'Run architecture-validator on the planned files before implementing, as well as after; keep Endpoint → Service → Repository → Model (no endpoint reaching a repository or the db session, no HTTPException in a service).',
      reason: `layer violations in ${layered.length} ${span} (${cite(layered, (n) => plural(n, 'violation'))}); rule fires at ${cfg.layerViolationTasks}`,
    });
  }

  const injected = hits(recent, injectionFindings);
  if (injected.length >= cfg.injectionTasks && injected.length > 0) {
    out.push({
      rule: 'injection',
      instruction: `Add sanitization proactively: ${proactiveFor('injection')}.`,
      reason: `security-auditor found injection risks in ${injected.length} ${span} (${cite(injected, (n) => plural(n, 'finding'))}); rule fires at ${cfg.injectionTasks}`,
    });
  }

  const rejected = hits(recent, (e) => (e.metrics.planApprovedFirstTry === false ? Math.max(1, e.metrics.planRevisions ?? 1) : 0));
  if (rejected.length >= cfg.rejectedPlanTasks && rejected.length > 0) {
    out.push({
      rule: 'plan-rejections',
      instruction:
        'Include more detail in the plan: every new and modified file with the layer it belongs to, the schema changes, whether a migration is needed, the security considerations, and how each rejection feedback point was met.',
      reason: `plan not approved first try in ${rejected.length} ${span} (${cite(rejected, (n) => plural(n, 'revision'))}); rule fires at ${cfg.rejectedPlanTasks}`,
    });
  }

  for (const [bugClass, tasks] of byBugClass(recent)) {
    if (tasks.length < cfg.repeatedBugClassTasks) continue;
    out.push({
      rule: 'repeated-bug-class',
      instruction: `Address ${bugClass} bugs proactively: ${proactiveFor(bugClass)}.`,
      // Classes are often recorded once per task, so the citation names tasks, not bug counts.
      reason: `breaker found ${bugClass} bugs in ${tasks.length} ${span} (${cite(tasks)}); rule fires at ${cfg.repeatedBugClassTasks}`,
    });
  }
  return out;
}

interface Hit {
  entry: LogEntry;
  n: number;
}

function hits(entries: LogEntry[], figure: (e: LogEntry) => number): Hit[] {
  return entries.map((entry) => ({ entry, n: figure(entry) })).filter((h) => h.n > 0);
}

/** `2026-11-20 Add users: 2 violations; 2026-11-22 Add orders: 1 violation` (no figures without `unit`). */
function cite(list: Hit[], unit?: (n: number) => string): string {
  return list.map((h) => `${h.entry.date} ${h.entry.task || '(no summary)'}${unit ? `: ${unit(h.n)}` : ''}`).join('; ');
}

/** Layer violations; for a hand-written entry without the line, architecture-validator's blocking findings. */
function layerViolations(e: LogEntry): number {
  if (e.metrics.layerViolations) return e.metrics.layerViolations.count;
  return subagent(e, 'architecture-validator')?.blocking ?? 0;
}

/**
 * Injection findings; for a hand-written entry without the Security findings line,
 * security-auditor's `injection` count or a finding that names injection without
 * denying it ("no injection risks" does not count).
 */
function injectionFindings(e: LogEntry): number {
  if (e.metrics.securityFindings) return e.metrics.securityFindings.injection;
  const sa = subagent(e, 'security-auditor');
  if (!sa) return 0;
  if (sa.counts['injection'] !== undefined) return sa.counts['injection'];
  const denied = /^(no|none|clean|skipped|nothing|0)\b/i.test(sa.finding) || /\bno\b[^.;]*\binjection/i.test(sa.finding);
  return !denied && classifyBug(sa.finding).includes('injection') ? 1 : 0;
}

function subagent(e: LogEntry, name: string): { finding: string; blocking: number; counts: Record<string, number> } | undefined {
  return e.metrics.subagents?.find((s) => s.agent.toLowerCase() === name);
}

/** Tasks per breaker bug class, in the order classes first appear. */
function byBugClass(entries: LogEntry[]): Map<string, Hit[]> {
  const map = new Map<string, Hit[]>();
  for (const entry of entries) {
    for (const c of new Set(entry.metrics.breakerBugs?.classes ?? [])) {
      if (c !== 'other') map.set(c, [...(map.get(c) ?? []), { entry, n: 1 }]);
    }
  }
  return map;
}

/** The adaptations as prompt text: each instruction with its reason. Empty when there are none. */
export function renderAdaptations(adaptations: Adaptation[]): string {
  if (adaptations.length === 0) return '';
  return ['Adaptations from your agent log (apply them in this task):', ...adaptations.map((a) => `- ${a.instruction} Why: ${a.reason}.`)].join('\n') + '\n';
}
