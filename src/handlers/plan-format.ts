import { LAYERS } from './paths.js';
import type { Layer } from './paths.js';
import { pathsIn } from './paths.js';

/** The sections of the plan submission format (backend-engineer.md), in order. */
export const PLAN_SECTIONS = [
  'Task',
  'Architecture approach',
  'Layers affected',
  'New files',
  'Modified files',
  'Schema changes',
  'Migration needed',
  'Security considerations',
  'Estimated scope',
] as const;
export type PlanSection = (typeof PLAN_SECTIONS)[number];

const escape = (s: string) => s.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A label line: `### Task: …`, `- New files: …`, `**Migration needed**: yes`, `Task: …`. */
function labelRe(name: string): RegExp {
  return new RegExp(`^([ \\t]*)(#{1,6}[ \\t]*|[-*+][ \\t]+)?(?:\\*\\*)?${escape(name).replaceAll(' ', '[ \\t]+')}[ \\t]*(?:\\*\\*[ \\t]*:|:[ \\t]*\\*\\*|:|\\*\\*[ \\t]*$|$)(.*)$`, 'i');
}
const LABELS = PLAN_SECTIONS.map((name) => ({ name, re: labelRe(name) }));
const DO_NOT_TOUCH = labelRe('Dependencies (do not touch)');

interface Found {
  /** The text after the label on its line. */
  inline: string;
  /** The lines that belong to it: deeper-indented items, or everything up to the next heading. */
  body: string[];
}

/** A plan's lines, with where each section's body must stop (a heading or a label line), read once for all its sections. */
interface Doc {
  lines: string[];
  stops: boolean[];
}

function docOf(text: string): Doc {
  const lines = text.replaceAll('\r\n', '\n').split('\n');
  return { lines, stops: lines.map((line) => /^\s*#/.test(line) || LABELS.some((l) => l.re.test(line))) };
}

function find({ lines, stops }: Doc, re: RegExp): Found | undefined {
  const at = lines.findIndex((l) => re.test(l));
  if (at < 0) return undefined;
  const m = re.exec(lines[at]!)!;
  const indent = m[1]!.length;
  const heading = (m[2] ?? '').startsWith('#');
  const body: string[] = [];
  for (let i = at + 1; i < lines.length; i++) {
    if (stops[i]) break;
    const line = lines[i]!;
    const lineIndent = /^\s*/.exec(line)![0].length;
    if (!heading && line.trim() !== '' && lineIndent <= indent) break;
    body.push(line);
  }
  return { inline: (m[3] ?? '').trim(), body };
}

/**
 * The sections of the submission format a plan lacks, in format order; empty when the
 * plan is complete. "Migration needed" also counts as missing when it says neither yes nor no.
 */
export function checkPlanFormat(text: string): PlanSection[] {
  const doc = docOf(text);
  return LABELS.filter(({ name, re }) => {
    const found = find(doc, re);
    if (!found) return true;
    if (name === 'Migration needed') return !/\b(yes|no)\b/i.test([found.inline, ...found.body].join(' '));
    return false;
  }).map((l) => l.name);
}

/** What a plan says, as data the machine and the log can use. */
export interface PlanFacts {
  /** New and modified files, new first, each once. */
  files: string[];
  newFiles: string[];
  modifiedFiles: string[];
  layers: Layer[];
  schemaChange: boolean;
  migration: boolean;
  /** Lines tagged `[LANDMINE]`. */
  landmines: number;
  /** Files the plan touches that its do-not-touch list names (or that it tags `[DO-NOT-TOUCH]`). */
  touchesDoNotTouch: string[];
}

/** Paths of a list value: one per item line, or each comma-separated entry when inline. */
function filesOf(found: Found | undefined): string[] {
  if (!found) return [];
  const entries = [...found.inline.split(/,|;/), ...found.body];
  const out: string[] = [];
  for (const entry of entries) {
    const first = pathsIn(entry)[0];
    if (first && !out.includes(first)) out.push(first);
  }
  return out;
}

const LAYER_WORDS: Record<string, Layer> = {
  endpoint: 'endpoint', endpoints: 'endpoint', api: 'endpoint', router: 'endpoint', routers: 'endpoint', routes: 'endpoint', route: 'endpoint',
  service: 'service', services: 'service',
  repository: 'repository', repositories: 'repository', repo: 'repository', repos: 'repository',
  model: 'model', models: 'model',
  schema: 'schema', schemas: 'schema',
};

/** Reads the facts out of a plan in the submission format; missing parts read as empty/false. */
export function planFacts(text: string): PlanFacts {
  const known = factsOf.get(text);
  if (known) {
    // Used last, kept longest.
    factsOf.delete(text);
    factsOf.set(text, known);
    return known;
  }
  const facts = readPlanFacts(text);
  for (const v of Object.values(facts)) if (Array.isArray(v)) Object.freeze(v);
  factsOf.set(text, Object.freeze(facts));
  // The plans of the runs in flight are asked again and again (as drafted, then by each
  // sub-agent and check once approved, which with many runs at once is after many others' plans).
  if (factsOf.size > FACTS_KEPT) factsOf.delete(factsOf.keys().next().value!);
  return facts;
}

/** Plans read lately, by text, the least lately used first: planFacts is pure, and what it returns is frozen, so it is shared. */
const factsOf = new Map<string, PlanFacts>();
/** More plans than runs in flight at a time under load (200 in the benchmark), and few enough that a long-lived engine does not grow with its finished runs. */
export const FACTS_KEPT = 256;

function readPlanFacts(text: string): PlanFacts {
  const doc = docOf(text);
  const { lines } = doc;
  const get = (name: PlanSection) => find(doc, LABELS.find((l) => l.name === name)!.re);
  const valueOf = (f: Found | undefined) => (f ? [f.inline, ...f.body].join('\n').trim() : '');
  const newFiles = filesOf(get('New files'));
  const modifiedFiles = filesOf(get('Modified files')).filter((f) => !newFiles.includes(f));
  const files = [...newFiles, ...modifiedFiles];
  const words = valueOf(get('Layers affected')).replaceAll(/\([^)]*\)/g, ' ').toLowerCase().split(/[^a-z]+/);
  const named = new Set(words.map((w) => LAYER_WORDS[w]).filter((l): l is Layer => l !== undefined));
  const schema = valueOf(get('Schema changes'));
  const dnt = new Set(filesOf(find(doc, DO_NOT_TOUCH)));
  const tagged = lines.filter((l) => /\[DO-NOT-TOUCH\]/i.test(l)).flatMap((l) => pathsIn(l).slice(0, 1));
  return {
    files,
    newFiles,
    modifiedFiles,
    layers: LAYERS.filter((l) => named.has(l)),
    schemaChange: schema !== '' && !/^[\s*_`-]*(none|no|n\/a|nothing|—)\b/i.test(schema),
    migration: /^[\s*_`]*yes\b/i.test(valueOf(get('Migration needed'))),
    landmines: lines.filter((l) => /\[LANDMINE\]/i.test(l)).length,
    touchesDoNotTouch: files.filter((f) => dnt.has(f) || tagged.includes(f)),
  };
}
