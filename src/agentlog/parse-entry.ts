import type { LogEntry, RunMetrics, SubagentResult } from './types.js';
import { classifyBug } from './bug-classes.js';
import { ITEM_SEP, LABEL, NONE, readCount, readYesNo, splitDetails } from './format.js';

/** `## 2026-11-20 — Add users (task t-17)`, also `## [2026-11-20] - …`, `## 2026-11-20 14:05: …`. */
const HEADING = /^##\s+\[?(\d{4}-\d{2}-\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?\]?\s*(?:[—–:-]+\s*(.*))?$/;
const TASK_SUFFIX = /\s*\(task ([^()]+)\)\s*$/i;
const SUBAGENT = /^([A-Za-z0-9_.-]+)\s*:\s*(?:blocking (\d+)(?: \(([^)]*)\))?\s+[—–-]{1,2}\s+)?(.*)$/;

type Section = 'did' | 'compliance' | 'subagents' | 'firstPass' | 'communication' | 'learnings' | 'differently' | 'other';

/** The figures every complete entry states; absent ones are listed in `missing`. */
const FIGURES = [
  'filesChanged',
  'layerViolations',
  'namingDeviations',
  'securityFindings',
  'subagents',
  'firstPassSuccess',
  'fixCycles',
  'planApprovedFirstTry',
  'breakerBugs',
  'sentinelPassedFirstTry',
] as const satisfies readonly (keyof RunMetrics)[];

/** True when a `## ` line starts an entry (has a date), as opposed to some other heading. */
export function isEntryHeading(line: string): boolean {
  return HEADING.test(line.trim());
}

/**
 * Reads one entry (its heading line first; LF line ends). Never throws: what cannot be
 * read is reported in `problems`, each saying where and what was expected.
 */
export function parseEntry(raw: string, line: number): { entry: LogEntry; problems: string[] } {
  const lines = raw.split('\n');
  const head = lines[0]!.trim();
  const problems: string[] = [];
  const h = HEADING.exec(head);
  if (!h) {
    const entry: LogEntry = { date: '', task: '', valid: false, metrics: {}, missing: [], raw, line };
    problems.push(`line ${line}: "${head.slice(0, 80)}" is not an entry heading; expected "## YYYY-MM-DD — <task summary>". Kept as text.`);
    return { entry, problems };
  }
  const date = h[1]!;
  let task = (h[2] ?? '').trim();
  let taskId: string | undefined;
  const t = TASK_SUFFIX.exec(task);
  if (t) {
    taskId = t[1]!.trim();
    task = task.slice(0, t.index).trim();
  }
  const where = `line ${line} (${date} ${task || '(no summary)'})`;
  const m: Partial<RunMetrics> = { date, task };
  if (taskId !== undefined) m.taskId = taskId;
  const lists = { did: [] as string[], subagents: [] as string[], learnings: [] as string[], differently: [] as string[] };
  const seen = new Set<Section>();
  let section: Section = 'other';

  const bad = (n: number, text: string, expected: string): void => {
    problems.push(`${where}, line ${line + n}: cannot read "${text.slice(0, 80)}"; expected ${expected}`);
  };

  for (let n = 1; n < lines.length; n++) {
    const text = lines[n]!.trim();
    if (text === '') continue;
    const sub = /^###\s+(.*)$/.exec(text);
    if (sub) {
      section = sectionOf(sub[1]!);
      seen.add(section);
      if (section === 'firstPass') {
        const value = sub[1]!.replace(/^[^:]*:?/, '');
        const yes = readYesNo(value);
        if (yes === undefined) bad(n, text, '"### First-pass success: yes|no"');
        else m.firstPassSuccess = yes;
      }
      continue;
    }
    const bullet = /^[-*]\s+(.*)$/.exec(text);
    if (!bullet) continue; // prose between bullets is the writer's own; nothing to read
    const item = bullet[1]!.trim();
    const listSection = section === 'did' || section === 'subagents' || section === 'learnings' || section === 'differently';
    // `**Label:** value` and `**Label**: value` are how people often write it by hand.
    const labelled = listSection ? null : /^(?:\*\*|__)?([^:*_]+?)(?:\*\*|__)?:(?:\*\*|__)?\s*(.*)$/.exec(item);
    const label = labelled ? labelOf(labelled[1]!) : undefined;
    if (label && labelled) {
      if (!readLabelled(label, labelled[2]!, m)) bad(n, text, expectedFor(label));
      continue;
    }
    if (listSection && item !== NONE) lists[section as keyof typeof lists].push(item);
  }

  if (seen.has('did')) m.filesChanged = lists.did.map(fileChange);
  if (seen.has('learnings')) m.learnings = lists.learnings;
  if (seen.has('differently')) m.differently = lists.differently;
  if (seen.has('subagents')) {
    const results: SubagentResult[] = [];
    for (const s of lists.subagents) {
      const r = subagent(s);
      if (r) results.push(r);
      else problems.push(`${where}: sub-agent line "${s.slice(0, 80)}" has no "agent: finding" form`);
    }
    m.subagents = results;
  }
  const missing = FIGURES.filter((f) => m[f] === undefined);
  return { entry: { date, task, ...(taskId !== undefined ? { taskId } : {}), valid: true, metrics: m, missing, raw, line }, problems };
}

type Label = keyof typeof LABEL;

function labelOf(text: string): Label | undefined {
  const t = text.trim().toLowerCase();
  for (const [key, label] of Object.entries(LABEL) as [Label, string][]) {
    if (t === label.toLowerCase()) return key;
  }
  return undefined;
}

function expectedFor(label: Label): string {
  const forms: Record<Label, string> = {
    layer: '"Layer violations found: N — details"',
    naming: '"Naming conventions followed: yes" or "no — deviations"',
    security: '"Security findings: N — injection N"',
    fixCycles: '"Fix cycles: N — what was fixed"',
    plan: '"Plan approved first try: yes|no — N revisions"',
    breaker: '"Breaker bugs: N — classes"',
    sentinel: '"Sentinel passed first try: yes|no"',
    cost: '"Cost: $0.42 — 51200 in / 3200 out, 14 turns"',
  };
  return forms[label];
}

/** Fills the figure a labelled line states; false when its value cannot be read. */
function readLabelled(label: Label, value: string, m: Partial<RunMetrics>): boolean {
  const [fig, details] = splitDetails(value);
  const items = details === undefined ? [] : details.split(ITEM_SEP);
  switch (label) {
    case 'layer':
    case 'fixCycles': {
      const count = readCount(fig);
      if (count === undefined) return false;
      if (label === 'layer') m.layerViolations = { count, details: items };
      else m.fixCycles = { count, fixed: items };
      return true;
    }
    case 'naming': {
      const yes = readYesNo(fig);
      if (yes === undefined) return false;
      m.namingDeviations = yes ? [] : details === undefined ? ['(unspecified)'] : items;
      return true;
    }
    case 'security': {
      const total = readCount(fig);
      if (total === undefined) return false;
      const inj = details === undefined ? 0 : Number(/injection\s+(\d+)/i.exec(details)?.[1] ?? 0);
      m.securityFindings = { injection: inj, total };
      return true;
    }
    case 'plan': {
      const yes = readYesNo(fig);
      if (yes === undefined) return false;
      m.planApprovedFirstTry = yes;
      m.planRevisions = details === undefined ? (yes ? 0 : 1) : Number(/(\d+)\s+revision/i.exec(details)?.[1] ?? (yes ? 0 : 1));
      return true;
    }
    case 'breaker': {
      const count = readCount(fig);
      if (count === undefined) return false;
      m.breakerBugs = { count, classes: details === undefined ? [] : bugClasses(details) };
      return true;
    }
    case 'sentinel': {
      const yes = readYesNo(fig);
      if (yes === undefined) return false;
      m.sentinelPassedFirstTry = yes;
      return true;
    }
    case 'cost': {
      const usd = /\$\s*(\d+(?:\.\d+)?)/.exec(fig);
      if (!usd) return false;
      const n = (re: RegExp) => Number(re.exec(details ?? '')?.[1] ?? 0);
      m.cost = { usd: Number(usd[1]), inputTokens: n(/(\d+)\s+in\b/), outputTokens: n(/(\d+)\s+out\b/), turns: n(/(\d+)\s+turns?\b/), ...(fig.includes('?') ? { unknown: true } : {}) };
      return true;
    }
  }
}

/** Class names as written (`null-handling, race`); prose a person wrote is classified by its words. */
function bugClasses(details: string): string[] {
  return details
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '')
    .flatMap((c) => (/^[a-z0-9_-]+$/.test(c) ? [c] : classifyBug(c)));
}

function sectionOf(title: string): Section {
  const t = title.toLowerCase().replace(/[’`]/g, "'");
  if (t.startsWith('what i did')) return 'did';
  if (t.startsWith('architecture compliance')) return 'compliance';
  if (t.startsWith('sub-agents') || t.startsWith('subagents')) return 'subagents';
  if (t.startsWith('first-pass success') || t.startsWith('first pass success')) return 'firstPass';
  if (t.startsWith('communication')) return 'communication';
  if (t.includes('learnings')) return 'learnings';
  if (t.includes('differently')) return 'differently';
  return 'other';
}

/** `file: change`; a line without a colon is a file with no description. */
function fileChange(item: string): { file: string; change: string } {
  const i = item.indexOf(': ');
  return i < 0 ? { file: item, change: '' } : { file: item.slice(0, i), change: item.slice(i + 2) };
}

function subagent(item: string): SubagentResult | undefined {
  const s = SUBAGENT.exec(item);
  if (!s) return undefined;
  const counts: Record<string, number> = {};
  for (const pair of (s[3] ?? '').split(',')) {
    const kv = /^\s*(\S+)\s+(\d+)\s*$/.exec(pair);
    if (kv) counts[kv[1]!] = Number(kv[2]);
  }
  return { agent: s[1]!, finding: s[4]!.trim(), blocking: s[2] === undefined ? 0 : Number(s[2]), counts };
}
