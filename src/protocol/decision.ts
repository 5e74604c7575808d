import type { Message } from './schema.js';
import { normalizeBody } from './text.js';

/** Markdown a conductor may put before the verdict: headings, emphasis, quotes, list marks. */
const LEAD = /^[\s#>*_`~-]*/;
const VERDICT = /^(APPROVED|REJECTED)(?![A-Za-z0-9_])/i;

/**
 * The conductor's decision on a plan carried by a message, if any: an explicit
 * `[DECISION: …]` header (feedback = the body), or a STATUS or REQUEST whose body begins
 * with APPROVED or REJECTED (any case, after markdown marks); the feedback is what follows
 * the verdict, without the punctuation that joins them. Anything else is no decision:
 * whether the sender may decide is the caller's question.
 */
export function decisionOf(m: Message): { approved: boolean; feedback: string } | undefined {
  const body = normalizeBody(m.body);
  if (m.decision !== undefined) return { approved: m.decision === 'APPROVED', feedback: body };
  if (m.type !== 'STATUS' && m.type !== 'REQUEST') return undefined;
  const rest = body.replace(LEAD, '');
  const v = VERDICT.exec(rest);
  if (!v) return undefined;
  const feedback = rest
    .slice(v[0].length)
    .replace(/^[*_`~]*/, '')
    .replace(/^[ \t]*[:.,;!—–-]*/, '');
  return { approved: (v[1] as string).toUpperCase() === 'APPROVED', feedback: normalizeBody(feedback).trim() };
}
