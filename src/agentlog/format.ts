/**
 * The seed's log-entry format, in one place: the section titles and line labels that
 * `renderEntry` writes and `parseEntry` reads back. Writing is exact; reading is liberal
 * (case, dashes, brackets, bullets `-` or `*`), because people and LLMs edit the log too.
 */

/** What the team's bootstrap copies into a new project (memory/agent-logs/backend-engineer.md). */
export const TEMPLATE_HEADER = '# Backend Engineer — Agent Log\n<!-- Observations and learned patterns for this project -->\n';

export const SECTION = {
  did: 'What I did',
  compliance: 'Architecture compliance',
  subagents: 'Sub-agents used',
  firstPass: 'First-pass success',
  communication: 'Communication effectiveness',
  learnings: 'Backend-specific learnings (NEW)',
  differently: "What I'd do differently",
} as const;

export const LABEL = {
  layer: 'Layer violations found',
  naming: 'Naming conventions followed',
  security: 'Security findings',
  fixCycles: 'Fix cycles',
  plan: 'Plan approved first try',
  breaker: 'Breaker bugs',
  sentinel: 'Sentinel passed first try',
  cost: 'Cost',
} as const;

/** Separates a figure from its details, and the date from the summary in a heading. */
export const DASH = ' — ';
/** Separates the items of a one-line list (violations, deviations, fixes). */
export const ITEM_SEP = '; ';
/** Written for an empty bullet list so a section is never silently blank. */
export const NONE = '(none)';

/** One line of text: whitespace runs (newlines too) become one space, so text can never start a heading. */
export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** One item of a `; `-separated list: one line, without the separator, never empty. */
export function listItem(s: string): string {
  const t = oneLine(s).replaceAll(ITEM_SEP, ', ');
  return t === '' ? '(unspecified)' : t;
}

/** A task id fit for the `(task <id>)` heading suffix. */
export function safeTaskId(id: string): string {
  return oneLine(id).replace(/[()]/g, '') || 'unknown';
}

/** A label-like key (bug class, count name): no spaces, commas or brackets. */
export function slug(s: string): string {
  return (
    oneLine(s)
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'other'
  );
}

export const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

/** `yes`/`no` at the start of a value, read liberally; undefined when it is neither. */
export function readYesNo(value: string): boolean | undefined {
  const v = bare(value);
  if (/^(yes|true)\b/.test(v) || v.startsWith('✅')) return true;
  if (/^(no|false)\b/.test(v) || v.startsWith('❌')) return false;
  return undefined;
}

/** A count at the start of a value: `2`, `2 —…`, or `none`/`zero` for 0. */
export function readCount(value: string): number | undefined {
  const v = bare(value);
  const m = /^(\d{1,6})\b/.exec(v);
  if (m) return Number(m[1]);
  if (/^(none|zero|no)\b/.test(v)) return 0;
  return undefined;
}

/** A figure without the emphasis marks a hand-written value may carry (`**yes**`). */
function bare(value: string): string {
  return value.replace(/[*_`]/g, '').trim().toLowerCase();
}

/** Splits `figure — details` at the first dash (em, en, or a spaced hyphen). */
export function splitDetails(value: string): [string, string | undefined] {
  const m = /^(.*?)\s+[—–-]{1,2}\s+(.*)$/.exec(value);
  return m ? [m[1]!.trim(), m[2]!.trim()] : [value.trim(), undefined];
}

/** `s` with a count noun: `1 revision`, `2 revisions`. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
