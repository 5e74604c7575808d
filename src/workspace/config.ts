import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { findNodeAtLocation, parse as parseJsonc, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { ParseError as JsoncError } from 'jsonc-parser';
import type { z } from 'zod';
import { UserError } from '../errors.js';
import { configSchema } from './config-schema.js';
import type { Config } from './config-schema.js';
import { CONFIG_FILE_NAME, WorkspacePaths } from './paths.js';

/**
 * The workspace folder to use: `opt` when given; else `.` when ./teamstate.json exists;
 * else ./workspace. Always absolute.
 */
export function resolveWorkspaceDir(opt?: string, cwd: string = process.cwd()): string {
  if (opt !== undefined && opt !== '') return path.resolve(cwd, opt);
  if (existsSync(path.join(cwd, CONFIG_FILE_NAME))) return path.resolve(cwd);
  return path.resolve(cwd, 'workspace');
}

/**
 * Reads and validates `<workspaceDir>/teamstate.json` (JSON with comments). Throws a
 * one-line UserError naming the file, the place and what was expected:
 * `<file>:3:5: limits.fixCycles: expected a number, got "x"`.
 */
export async function loadConfig(workspaceDir: string): Promise<Config> {
  const file = new WorkspacePaths(workspaceDir).configFile;
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${file}: no ${CONFIG_FILE_NAME} here; run \`teamstate init ${workspaceDir}\` or pass --workspace DIR`);
    if (code === 'EISDIR') throw new UserError(`${file}: is a folder, expected the config file`);
    throw new UserError(`${file}: cannot read it (${code ?? String(e)})`);
  }
  return parseConfigText(text, file);
}

/** Parses and validates config text; `file` names it in errors. Exported for tests and `init`. */
export function parseConfigText(input: string, file: string): Config {
  // Editors on Windows may save a BOM; offsets below are of the text without it.
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const errors: JsoncError[] = [];
  const raw: unknown = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const first = errors[0];
  if (first) {
    const { line, column } = lineColumn(text, first.offset);
    throw new UserError(`${file}:${line}:${column}: not valid JSON (${describeJsoncError(printParseErrorCode(first.error))}); fix the file or recreate it with \`teamstate init --force\``);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const shown = issues.slice(0, 3).map((issue) => describeIssue(issue, raw, text));
    const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
    throw new UserError(`${file}:${shown.join('; ')}${more}`);
  }
  const config = parsed.data;
  const dup = config.members.find((m, i) => config.members.indexOf(m) !== i);
  if (dup) throw new UserError(`${file}: members: "${dup}" is listed twice; each member once`);
  if (config.members.includes('all')) throw new UserError(`${file}: members: "all" is reserved for broadcasts (TO: ALL); rename that member`);
  return config;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}

function describeJsoncError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'bad number',
    PropertyNameExpected: 'expected a property name in double quotes',
    ValueExpected: 'expected a value',
    ColonExpected: 'expected ":"',
    CommaExpected: 'expected ","',
    CloseBraceExpected: 'expected "}"',
    CloseBracketExpected: 'expected "]"',
    EndOfFileExpected: 'expected the end of the file',
    UnexpectedEndOfComment: 'unclosed /* comment',
    UnexpectedEndOfString: 'unclosed string',
    UnexpectedEndOfNumber: 'unfinished number',
    InvalidUnicode: 'bad \\u escape',
    InvalidEscapeCharacter: 'bad escape',
    InvalidCharacter: 'control character in a string',
  };
  return words[code] ?? code;
}

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

/** Where the value at `p` (or its nearest existing parent) starts in the text. */
function locate(text: string, p: (string | number)[]): { line: number; column: number } {
  const tree = parseTree(text);
  for (let n = p.length; tree && n >= 0; n--) {
    const node = findNodeAtLocation(tree, p.slice(0, n));
    if (node) return lineColumn(text, node.parent?.type === 'property' ? node.parent.offset : node.offset);
  }
  return { line: 1, column: 1 };
}

/** "line:col: path: expected X, got Y" for one zod issue. */
function describeIssue(issue: Issue, raw: unknown, text: string): string {
  const p = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
  const where = p.length ? p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('') : '(top level)';
  const got = valueAt(raw, issue.path);
  const pos = locate(text, issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...p, issue.keys[0]] : p);
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
  return `${pos.line}:${pos.column}: ${where}: ${expected}`;
}
