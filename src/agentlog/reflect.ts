import type { RunMetrics } from './types.js';
import { proactiveFor } from './bug-classes.js';
import { plural } from './format.js';

export type MeasuredRun = Omit<RunMetrics, 'learnings' | 'differently'>;

const MIGRATION = /(^|\/)(alembic|migrations?)\//i;
const SCHEMA = /(^|\/)(schemas?|models?)\//i;

/**
 * The entry's last two sections, derived from the figures only, so that the log says
 * nothing the run did not measure:
 * - learnings: facts such as "schema change needed a migration", layer and naming
 *   deviations, the bug classes breaker hit, injection findings
 * - differently: one adjustment per figure that went wrong, e.g. "validate layers
 *   before coding: 2 violations found after"
 * A clean run says so in one line each.
 */
export function reflect(m: MeasuredRun): Pick<RunMetrics, 'learnings' | 'differently'> {
  const files = m.filesChanged.map((f) => f.file.replace(/\\/g, '/'));
  const learnings: string[] = [];
  const differently: string[] = [];

  const migrations = files.filter((f) => MIGRATION.test(f));
  const schemaFiles = files.filter((f) => SCHEMA.test(f) && !MIGRATION.test(f));
  if (migrations.length > 0 && schemaFiles.length > 0) learnings.push(`schema change needed a migration (${migrations.join(', ')})`);
  else if (schemaFiles.some((f) => /(^|\/)models?\//i.test(f)) && migrations.length === 0) learnings.push(`models changed without a migration file (${schemaFiles.join(', ')}); check whether one is needed`);
  if (m.layerViolations.count > 0) learnings.push(`layer rules caught: ${m.layerViolations.details.join('; ') || plural(m.layerViolations.count, 'violation')}`);
  if (m.namingDeviations.length > 0) learnings.push(`naming deviations: ${m.namingDeviations.join('; ')}`);
  const classes = [...new Set(m.breakerBugs.classes.filter((c) => c !== 'other'))];
  if (classes.length > 0) learnings.push(`breaker found ${classes.join(', ')} bugs in this code`);
  if (m.securityFindings.injection > 0) learnings.push(`security-auditor flagged ${plural(m.securityFindings.injection, 'injection risk')}`);
  const blocked = m.subagents.filter((s) => s.blocking > 0).map((s) => `${s.agent} (${s.blocking})`);
  if (blocked.length > 0) learnings.push(`blocking sub-agent findings: ${blocked.join(', ')}`);
  if (learnings.length === 0) learnings.push('no new backend pattern: the established conventions held');

  if (m.layerViolations.count > 0) differently.push(`validate layers before coding: ${plural(m.layerViolations.count, 'violation')} found after`);
  if (m.namingDeviations.length > 0) differently.push(`check new file and class names against the naming table before creating them: ${plural(m.namingDeviations.length, 'deviation')}`);
  if (!m.planApprovedFirstTry) differently.push(`put more detail in the first plan: ${plural(m.planRevisions, 'revision')} before approval`);
  if (m.securityFindings.injection > 0) differently.push(`sanitize inputs while coding: ${plural(m.securityFindings.injection, 'injection finding')}`);
  for (const c of classes) differently.push(`${proactiveFor(c)} (breaker found ${c} bugs)`);
  if (m.fixCycles.count > 0) differently.push(`catch these before handoff: ${plural(m.fixCycles.count, 'fix cycle')} (${m.fixCycles.fixed.join('; ') || 'unspecified'})`);
  if (!m.firstPassSuccess && m.fixCycles.count === 0) differently.push('meet the reviewers\' rules in the first implementation: sub-agent findings sent it back');
  if (!m.sentinelPassedFirstTry) differently.push('run the test suite before handing off to sentinel: it did not pass first try');
  if (differently.length === 0) differently.push('keep the approach: first-pass success, plan approved first try, sentinel passed first try');

  return { learnings, differently };
}
