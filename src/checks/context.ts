import type { SyntaxNode } from '@lezer/common';
import { lineOf, lineText, type PyFile } from './parse.js';
import { importMap } from './imports.js';
import type { ProjectFacts } from './facts.js';
import type { Detail } from './finding.js';
import { makeFinding } from './finding.js';
import type { Finding, Layout } from './types.js';

export { makeFinding } from './finding.js';
export type { Detail } from './finding.js';

/** What each rule function is given for one file. */
export interface FileCtx {
  f: PyFile;
  /** local name → qualified name, from the file's imports. */
  imported: Map<string, string>;
  /** What the whole project says: pinned versions, conventions, values set in settings. */
  facts: ProjectFacts;
  layout: Layout;
  /** Whether a rule is on for this run. */
  on(rule: string): boolean;
  /**
   * Records a finding at a node's first line (or a 1-based line); one per rule and line,
   * and none inside a node already reported for the rule (one `raise HTTPException(...)`
   * spanning lines is one finding).
   */
  emit(rule: string, at: SyntaxNode | number, detail?: Detail): void;
  /** Whether the rule already has a finding in this file. */
  has(rule: string): boolean;
}

/** A context that appends to `out`, for the rules in `enabled`. */
export function fileCtx(f: PyFile, enabled: ReadonlySet<string>, out: Finding[], facts: ProjectFacts, layout: Layout): FileCtx {
  const seen = new Set<string>();
  const fired = new Set<string>();
  const spans = new Map<string, [number, number][]>();
  return {
    f,
    imported: importMap(f),
    facts,
    layout,
    on: (rule) => enabled.has(rule),
    has: (rule) => fired.has(rule),
    emit(rule, at, detail) {
      if (!enabled.has(rule)) return;
      const line = typeof at === 'number' ? at : lineOf(f, at.from);
      const key = `${rule}:${line}`;
      if (seen.has(key)) return;
      const mine = spans.get(rule) ?? [];
      if (typeof at !== 'number') {
        if (mine.some(([from, to]) => at.from >= from && at.to <= to)) return;
        mine.push([at.from, at.to]);
        spans.set(rule, mine);
      }
      seen.add(key);
      fired.add(rule);
      out.push(makeFinding(rule, f.rel, line, lineText(f, line), detail));
    },
  };
}
