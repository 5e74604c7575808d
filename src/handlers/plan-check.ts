import { RULES, checkPlannedFiles } from '../checks/index.js';
import type { Finding } from '../checks/index.js';
import type { ChecksConfig } from '../workspace/config-schema.js';
import { planFacts } from './plan-format.js';
import type { Findings, StepInput } from './types.js';
import { count } from '../words.js';

const title = (rule: string) => RULES.find((r) => r.id === rule)?.title ?? rule;

/**
 * The architecture-validator's check of a plan before it is sent (mode `plan`): the
 * naming and placement rules on the plan's files (src/checks), and any file the plan
 * changes that its do-not-touch list names. Both kinds block. The report is in the
 * validator's format.
 */
export function checkPlan(input: StepInput, config?: ChecksConfig): { text: string; files: string[]; findings: Findings } {
  const facts = planFacts(input.plan ?? '');
  const files = input.planFiles?.length ? input.planFiles : facts.files;
  const naming: Finding[] = checkPlannedFiles(files, config);
  const dnt = facts.touchesDoNotTouch;
  const blocking = naming.filter((f) => f.blocking).length + dnt.length;
  const total = naming.length + dnt.length;
  const lines = [
    '# Architecture Validation Report (plan)',
    '',
    '## Summary',
    `- **Compliant**: ${files.length - new Set([...naming.map((f) => f.file), ...dnt]).size}/${files.length} planned files`,
    `- **Violations**: ${total} issues found`,
    '',
  ];
  if (naming.length) {
    lines.push('## Naming Convention Violations', '| File | Issue | Should Be |', '|------|-------|-----------|');
    for (const f of naming) lines.push(`| ${f.file} (planned) | ${title(f.rule)}: ${f.why.replaceAll('|', '\\|')} | ${f.fix.replaceAll('|', '\\|')} |`);
    lines.push('');
  }
  if (dnt.length) {
    lines.push('## Do-Not-Touch Violations');
    dnt.forEach((file, i) => {
      lines.push(`### [ARCH-${String(i + 1).padStart(3, '0')}] Plan changes a do-not-touch file`, `- **File**: ${file} (planned)`, "- **Issue**: the analyst's handoff lists it under DEPENDENCIES (do not touch)", '- **Fix**: leave it out of the plan, or ask the conductor to allow it', '');
    });
  }
  const summary = total === 0 ? `${count(files.length, 'planned file')}, no violations` : `${count(total, 'violation')} in the plan (${naming.length} naming, ${dnt.length} do-not-touch)`;
  return {
    text: lines.join('\n').trimEnd() + '\n',
    files,
    findings: { blocking, counts: { violations: total, naming: naming.length, doNotTouch: dnt.length }, summary },
  };
}
