import { firstPath } from './paths.js';

/** One line of the analyst's report: the file it names (if any) and what it says. */
export interface HandoffItem {
  path?: string;
  /** The text after the path (its role, why it matters), or the whole line when no path. */
  note: string;
  text: string;
}

export interface CoverageItem extends HandoffItem {
  /** The test file named for it, if any. */
  test?: string;
  untested: boolean;
}

/** The analyst's TARGETED SCAN report (analyst.md), as data. */
export interface Handoff {
  area: string;
  entryPoint?: HandoffItem;
  /** `file:fn` steps, entry first. */
  callChain: string[];
  /** In edit order. */
  filesInScope: HandoffItem[];
  doNotTouch: HandoffItem[];
  implicitCoupling: string[];
  testCoverage: CoverageItem[];
  /** The LANDMINES section plus every `[LANDMINE]`-tagged line elsewhere, without the tag. */
  landmines: string[];
  memoryCorrections: string[];
}

type SectionKey = 'entry' | 'chain' | 'scope' | 'deps' | 'coupling' | 'coverage' | 'landmines' | 'corrections';

const SECTIONS: [RegExp, SectionKey][] = [
  [/^ENTRY ?POINTS?/, 'entry'],
  [/^CALL ?CHAIN/, 'chain'],
  [/^FILES IN SCOPE/, 'scope'],
  [/^(DEPENDENCIES|DO NOT TOUCH)/, 'deps'],
  [/^IMPLICIT COUPLING/, 'coupling'],
  [/^TEST(S| COVERAGE)/, 'coverage'],
  [/^LANDMINES?/, 'landmines'],
  [/^MEMORY CORRECTIONS?/, 'corrections'],
];

const HEADING = /^\s*(?:#{1,6}\s*)?\**\s*([A-Za-z][A-Za-z ]+?)\s*(?:\([^)]*\))?\s*\**\s*(?::\s*(.*))?$/;
const LANDMINE_TAG = /\[LANDMINE\]\s*:?\s*/gi;
const NOTHING = /^(none|n\/a|nothing|-+|—)\.?$/i;

function sectionOf(line: string): { key: SectionKey; rest: string } | undefined {
  const m = HEADING.exec(line);
  if (!m) return undefined;
  const title = m[1]!.toUpperCase().replaceAll(/\s+/g, ' ');
  const hit = SECTIONS.find(([re]) => re.test(title));
  // A bare word line ("Tests") is a heading only when marked as one.
  if (!hit || (!/^\s*(#|\*\*)/.test(line) && m[2] === undefined && m[1] !== m[1]!.toUpperCase())) return undefined;
  return { key: hit[1], rest: m[2]?.trim() ?? '' };
}

/** Splits "path:12 — what it is" into the path and the note. */
function item(text: string): HandoffItem {
  const path = firstPath(text);
  if (!path) return { note: text, text };
  const at = text.indexOf(path);
  const after = text
    .slice(at + path.length)
    .replace(/^:\d+/, '')
    .replace(/^[`\s]*(?:[—–:-]|->|→)?\s*/, '');
  return { path, note: after.trim() || text, text };
}

function coverage(text: string): CoverageItem {
  const [subject = text, ...rest] = text.split(/\s*(?:→|->)\s*/);
  const base = item(subject);
  const verdict = rest.join(' → ');
  const test = firstPath(verdict);
  const untested = /\bno tests?\b|\buntested\b|\bnot tested\b|\bmissing\b/i.test(verdict || text);
  return { ...base, text, note: verdict || base.note, untested, ...(test ? { test } : {}) };
}

/**
 * Reads the analyst's HANDOFF report. Liberal: `##`/`###` or bold headings, any case,
 * numbered or bulleted items, `—`/`-`/`:` separators, `file:line` references. Sections
 * left out are empty; a body that is not a report gives an empty Handoff, never an error.
 */
export function parseHandoff(body: string): Handoff {
  const out: Handoff = { area: '', callChain: [], filesInScope: [], doNotTouch: [], implicitCoupling: [], testCoverage: [], landmines: [], memoryCorrections: [] };
  const tagged: string[] = [];
  let current: SectionKey | undefined;
  let afterBlank = false;
  const add = (key: SectionKey, raw: string) => {
    const text = raw.trim();
    if (!text || NOTHING.test(text)) return;
    if (key === 'entry') out.entryPoint ??= item(text);
    else if (key === 'chain') out.callChain.push(...text.split(/\s*(?:→|->)\s*/).filter(Boolean));
    else if (key === 'scope') out.filesInScope.push(item(text));
    else if (key === 'deps') out.doNotTouch.push(item(text));
    else if (key === 'coupling') out.implicitCoupling.push(text);
    else if (key === 'coverage') out.testCoverage.push(coverage(text));
    else if (key === 'landmines') out.landmines.push(text.replace(LANDMINE_TAG, '').trim());
    else out.memoryCorrections.push(text);
  };
  for (const line of body.replaceAll('\r\n', '\n').split('\n')) {
    const report = /^\s*#{1,6}\s*ANALYST REPORT\s*(?:[—–:-]\s*)?(.*)$/i.exec(line);
    if (report) {
      out.area = report[1]!.trim();
      current = undefined;
      continue;
    }
    const section = sectionOf(line);
    if (section) {
      current = section.key;
      if (section.rest) add(current, section.rest);
      continue;
    }
    if (/^\s*#/.test(line)) {
      current = undefined;
      continue;
    }
    const listed = /^\s*(?:[-*+]|\d+[.)])\s/.test(line);
    // Prose after a blank line ends a list section (its items are list items).
    if (current && current !== 'entry' && current !== 'chain' && !listed && afterBlank && line.trim()) current = undefined;
    afterBlank = line.trim() === '';
    // What follows the tag is the landmine; text before it is only a lead-in.
    const tag = /\[LANDMINE\]\s*:?\s*(.*)$/i.exec(line);
    if (tag && current !== 'landmines') tagged.push(tag[1]!.trim());
    if (current) add(current, line.replace(/^\s*(?:[-*+]|\d+[.)])\s+/, ''));
  }
  for (const t of tagged) if (t && !out.landmines.includes(t)) out.landmines.push(t);
  return out;
}
