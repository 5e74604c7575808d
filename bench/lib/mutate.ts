import { parse as parseJsonc } from 'jsonc-parser';

/** A seeded source of choices. */
export interface Rng {
  (): number;
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
}

export function rngFrom(next: () => number): Rng {
  const r = (() => next()) as Rng;
  r.int = (n) => Math.floor(next() * n);
  r.pick = (xs) => xs[Math.floor(next() * xs.length)]!;
  return r;
}

/** Bytes and strings that tend to break readers of this format. */
const TOKENS = ['[', ']', ':', '\n', '\r\n', '\r', '\0', '{', '}', '"', '\\', '\uFEFF', '```', '```json\n', '[TYPE: ', '[TO: ALL]', '[FROM: ', '[TASK: ', '[ACTION NEEDED: ', ',', ' ', '\t', '😀', '\u202E', '\uD800', 'ALL', 'builder', 'APPROVED', 'REJECTED', '..', '/', '%s', '${x}', '__proto__', 'constructor'];
const JUNK_VALUES: unknown[] = [null, true, false, 0, -1, 1e308, -0, NaN, '', ' ', 'x'.repeat(300), [], {}, [[]], { a: 1 }, '__proto__', '../../etc/passwd', 'ALL', '\u0000', 42.5, '1e3'];

/** One random edit of text: flip, insert, delete, duplicate, truncate, splice, repeat or case. */
export function mutateText(rng: Rng, text: string, other: string): string {
  const at = rng.int(text.length + 1);
  const len = 1 + rng.int(Math.max(1, Math.min(64, text.length)));
  switch (rng.int(11)) {
    case 0:
      return text.slice(0, at) + String.fromCharCode(rng.int(0x110)) + text.slice(at + 1);
    case 1:
      return text.slice(0, at) + rng.pick(TOKENS) + text.slice(at);
    case 2:
      return text.slice(0, at) + text.slice(at + len);
    case 3:
      return text.slice(0, at) + text.slice(at, at + len).repeat(2 + rng.int(3)) + text.slice(at);
    case 4:
      return text.slice(0, at);
    case 5:
      return text.slice(0, at) + other.slice(rng.int(other.length + 1));
    case 6: {
      const lines = text.split('\n');
      const i = rng.int(lines.length);
      lines.splice(i, 0, ...Array<string>(1 + rng.int(50)).fill(lines[i] ?? ''));
      return lines.join('\n');
    }
    case 7: {
      const lines = text.split('\n');
      const i = rng.int(lines.length);
      const j = rng.int(lines.length);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join('\n');
    }
    case 8:
      return rng() < 0.5 ? text.toLowerCase() : text.toUpperCase();
    case 9:
      return text.slice(0, at) + 'A'.repeat(1 + rng.int(20_000)) + text.slice(at);
    default:
      return text.replace(/\n/g, rng.pick(['\r\n', '\r', '\n\n', ' \n']));
  }
}

/** One random edit of a JSON(C) document's structure: a value changed, removed or added. */
export function mutateJson(rng: Rng, text: string): string {
  let doc: unknown;
  try {
    doc = parseJsonc(text);
  } catch {
    return text;
  }
  if (typeof doc !== 'object' || doc === null) return text;
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, p: (string | number)[]): void => {
    paths.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
  };
  walk(doc, []);
  const target = rng.pick(paths);
  if (target.length === 0) return JSON.stringify(rng.pick(JUNK_VALUES));
  let parent = doc as Record<string | number, unknown>;
  for (const k of target.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const key = target.at(-1)!;
  switch (rng.int(4)) {
    case 0:
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      break;
    case 1:
      parent[key] = rng.pick(JUNK_VALUES);
      break;
    case 2:
      parent[`${String(key)}${rng.pick(['', 'x', '_', 'Ms'])}`] = rng.pick(JUNK_VALUES);
      break;
    default:
      if (Array.isArray(parent[key])) (parent[key] as unknown[]).push(...(parent[key] as unknown[]));
      else parent[key] = [parent[key]];
  }
  return JSON.stringify(doc, null, rng.pick([0, 1, 2]));
}
