import { parseHandoff } from './handoff.js';
import type { Handoff } from './handoff.js';
import { kindOf, layersOf, pathsIn, testFileFor } from './paths.js';
import type { StepInput } from './types.js';
import { count } from '../words.js';

/** A file the plan creates or changes, and why. */
interface PlannedFile {
  path: string;
  why: string;
  isNew: boolean;
}

export interface DraftOptions {
  /** Whether a project path exists; a file in scope that does not is a new file. */
  exists?: (path: string) => boolean;
}

/** What the feedback of the rejections changed, one note per point. */
interface Revision {
  notes: string[];
  forceMigration: boolean;
  securityNotes: string[];
}

const REMOVE = /\b(remove|drop|don'?t|do not|without|leave|out of scope|not touch|no need)\b/i;

const knownTests = (h: Handoff) => h.testCoverage.flatMap((c) => (c.test ? [c.test] : []));

function planFiles(h: Handoff, exists: ((p: string) => boolean) | undefined): PlannedFile[] {
  const files: PlannedFile[] = [];
  const add = (f: PlannedFile) => files.some((g) => g.path === f.path) || files.push(f);
  for (const f of h.filesInScope) {
    if (!f.path) continue;
    const isNew = /\b(new|create[sd]?)\b/i.test(f.note) || (exists ? !exists(f.path) : false);
    add({ path: f.path, why: f.note, isNew });
  }
  // The workflow for modifications: update the tests of what changes, add tests where there are none.
  const known = knownTests(h);
  for (const c of h.testCoverage) {
    if (!c.path || !files.some((f) => f.path === c.path)) continue;
    if (c.test) add({ path: c.test, why: `tests for ${c.path}`, isNew: exists ? !exists(c.test) : false });
    else if (c.untested) add({ path: testFileFor(c.path, known), why: `tests for ${c.path} (it has none)`, isNew: true });
  }
  return files;
}

function revise(input: StepInput, h: Handoff, files: PlannedFile[], exists: DraftOptions['exists']): Revision {
  const rev: Revision = { notes: [], forceMigration: false, securityNotes: [] };
  input.rejections.forEach((feedback, i) => {
    const label = `Rejection ${i + 1} ("${feedback.trim().split('\n')[0]}")`;
    const done: string[] = [];
    for (const sentence of feedback.split(/(?<=[.!?;])\s+|\n/)) {
      for (const path of pathsIn(sentence)) {
        const at = files.findIndex((f) => f.path === path);
        if (REMOVE.test(sentence)) {
          if (at >= 0) {
            files.splice(at, 1);
            done.push(`removed ${path}`);
          }
        } else if (at < 0) {
          files.push({ path, why: 'asked for in the review', isNew: /\b(new|create|add)\b/i.test(sentence) && (exists ? !exists(path) : true) });
          done.push(`added ${path}`);
        }
      }
    }
    // Each note claims only what this rejection changed in the plan; what was already so is said as such.
    const already: string[] = [];
    if (/migration/i.test(feedback) && !/\bno migration\b/i.test(feedback)) {
      if (rev.forceMigration || files.some((f) => kindOf(f.path) === 'model')) already.push('a migration was already planned');
      else {
        rev.forceMigration = true;
        done.push('added a migration');
      }
    }
    if (/\btests?\b/i.test(feedback)) {
      const added: string[] = [];
      for (const f of [...files]) {
        const kind = kindOf(f.path);
        if (kind === 'test' || kind === 'migration' || kind === 'other') continue;
        if (files.some((g) => g.why.startsWith(`tests for ${f.path}`))) continue;
        const test = h.testCoverage.find((c) => c.path === f.path)?.test ?? testFileFor(f.path, knownTests(h));
        if (!files.some((g) => g.path === test)) {
          files.push({ path: test, why: `tests for ${f.path}`, isNew: exists ? !exists(test) : true });
          added.push(test);
        }
      }
      if (added.length) done.push(`planned tests: ${added.join(', ')}`);
      else already.push('every changed source file already had tests planned');
    }
    if (/security|auth|injection|saniti|exposure|rate.?limit|permission/i.test(feedback)) {
      const point = `Review point: ${feedback.trim().split('\n')[0]}`;
      if (rev.securityNotes.includes(point)) already.push('its point is already under the security considerations');
      else {
        rev.securityNotes.push(point);
        done.push('added its point to the security considerations');
      }
    }
    const note = done.length ? done.join('; ') : 'no change the drafter could derive from it; a person should read it';
    rev.notes.push(`- ${label}: ${note}${already.length ? ` (${already.join('; ')})` : ''}`);
  });
  return rev;
}

function list(files: PlannedFile[]): string {
  return files.length ? '\n' + files.map((f) => `  - ${f.path} — ${f.why}`).join('\n') : ' none';
}

function securityLines(h: Handoff, input: StepInput, files: PlannedFile[], rev: Revision): string[] {
  const lines = h.landmines.map((l) => `- [LANDMINE] ${l}`);
  const dnt = new Map(h.doNotTouch.filter((d) => d.path).map((d) => [d.path!, d.note]));
  for (const f of files) {
    if (dnt.has(f.path)) lines.push(`- [DO-NOT-TOUCH] ${f.path} is on the analyst's do-not-touch list (${dnt.get(f.path)}); changing it needs the conductor's approval`);
  }
  const layers = new Set(layersOf(files.map((f) => f.path)));
  if (layers.has('endpoint')) lines.push('- Auth: every changed route keeps Depends(get_current_user) and checks the caller may act on the resource');
  if (layers.has('endpoint') || layers.has('schema')) lines.push('- Input: request bodies and path/query parameters validated by Pydantic schemas');
  if (layers.has('service') || layers.has('repository')) lines.push('- Injection: SQLAlchemy expressions or bound parameters only; no SQL built from strings');
  if (layers.has('model') || layers.has('schema')) lines.push('- Data exposure: response schemas leave out passwords, hashes, tokens and internal fields');
  for (const a of input.adaptations) lines.push(`- From the agent log: ${a.instruction} (${a.reason})`);
  for (const n of rev.securityNotes) lines.push(`- ${n}`);
  return lines.length ? lines : ['- None beyond the usual: no layer that handles input or data changes'];
}

/**
 * The built-in plan drafter: turns the analyst's HANDOFF into a plan in the submission
 * format (backend-engineer.md), adding the call chain, the do-not-touch list, implicit
 * coupling and, on a revision, notes on how each rejection was addressed. Deterministic:
 * the same input gives the same plan.
 */
export function draftPlan(input: StepInput, options: DraftOptions = {}): string {
  const h = parseHandoff(input.handoff);
  const files = planFiles(h, options.exists);
  const rev = revise(input, h, files, options.exists);
  const paths = files.map((f) => f.path);
  const layers = layersOf(paths);
  const models = files.filter((f) => kindOf(f.path) === 'model');
  const schemas = files.filter((f) => kindOf(f.path) === 'schema');
  const migration = models.length > 0 || rev.forceMigration;
  const newFiles = files.filter((f) => f.isNew);
  const modified = files.filter((f) => !f.isNew);
  const schemaLines = [
    ...models.map((m) => `- ${m.path} — ${m.why}`),
    ...schemas.map((s) => `- ${s.path} — ${s.why}`),
  ];
  const why = models.length ? `${models.map((m) => m.path).join(', ')} change${models.length > 1 ? '' : 's'}` : 'asked for in the review';
  const out = [
    '## Backend Implementation Plan',
    `### Task: ${input.task.subject}${input.task.id ? ` (${input.task.id})` : ''}`,
    // Quoted, so a description holding "Layers affected:" or headings cannot pose as a section.
    ...(input.task.description.trim() ? input.task.description.trim().split('\n').map((l) => `> ${l}`) : []),
    '### Architecture approach:',
    `- Layers affected: ${layers.length ? layers.join(', ') : 'none of the architecture layers'}`,
    `- New files:${list(newFiles)}`,
    `- Modified files:${list(modified)}`,
    `### Schema changes:${schemaLines.length ? '\n' + schemaLines.join('\n') : ' none'}`,
    `### Migration needed: ${migration ? `yes — ${why}; one Alembic revision, timestamp-named, with a tested downgrade` : 'no — no model changes'}`,
    '### Security considerations:',
    ...securityLines(h, input, files, rev),
    `### Estimated scope: ${count(files.length, 'file')} (${newFiles.length} new, ${modified.length} modified)${migration ? ' plus 1 migration' : ''}`,
  ];
  if (h.entryPoint || h.callChain.length) {
    out.push('### Call chain', ...(h.entryPoint ? [`- Entry: ${h.entryPoint.text}`] : []), ...(h.callChain.length ? [`- ${h.callChain.join(' → ')}`] : []));
  }
  if (h.doNotTouch.length) out.push('### Dependencies (do not touch)', ...h.doNotTouch.map((d) => `- ${d.text}`));
  if (h.implicitCoupling.length) out.push('### Implicit coupling', ...h.implicitCoupling.map((c) => `- ${c} (kept working; covered by tests)`));
  if (rev.notes.length) out.push('### Revision notes', ...rev.notes);
  return out.join('\n') + '\n';
}
