import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

function valueAt(root: unknown, p: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of p) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const article = (t: string): string => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

/** A zod issue in words a person can act on. */
export interface ExplainedIssue {
  /** The path of the value, without symbols. */
  path: (string | number)[];
  /** `limits.fixCycles`, `members[1]`, or `(top level)`. */
  where: string;
  /** `expected a number, got "x"`. */
  expected: string;
}

/** Explains one zod issue against the raw input it was found in (to show what was given). */
export function explainIssue(issue: Issue, raw: unknown): ExplainedIssue {
  const p = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
  const where = p.length ? p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('') : '(top level)';
  const got = valueAt(raw, issue.path);
  let expected: string;
  switch (issue.code) {
    case 'invalid_type': {
      const what = issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'an object' : issue.expected === 'int' ? 'a whole number' : article(issue.expected);
      expected = got === undefined ? `missing: expected ${what}` : `expected ${what}, got ${show(got)}`;
      break;
    }
    case 'too_small':
      expected =
        issue.origin === 'array'
          ? `expected at least ${String(issue.minimum)} entries, got ${Array.isArray(got) ? got.length : show(got)}`
          : issue.origin === 'string'
            ? `expected at least ${String(issue.minimum)} characters, got ${show(got)}`
            : `expected ${issue.inclusive ? 'at least' : 'more than'} ${String(issue.minimum)}, got ${show(got)}`;
      break;
    case 'too_big':
      expected = `expected ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}, got ${show(got)}`;
      break;
    case 'invalid_value':
      expected = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${show(got)}`;
      break;
    case 'unrecognized_keys':
      expected = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; remove or fix the name`;
      break;
    case 'invalid_union':
      expected =
        p.at(-2) === 'steps' || p.at(-1) === 'kind'
          ? `expected a handler {"kind": "instant" | "builtin" | "manual" | "command"}, got ${show(got)}`
          : `${issue.message}, got ${show(got)}`;
      break;
    case 'invalid_key':
      expected = `the name ${show(p.at(-1))} is not valid: expected ${issue.issues[0]?.message ?? 'a valid name'}`;
      break;
    case 'invalid_format':
    case 'custom':
    default:
      expected = `${issue.code === 'invalid_format' ? 'expected ' : ''}${issue.message}${issue.code === 'custom' ? '' : `, got ${show(got)}`}`;
  }
  return { path: p, where, expected };
}
