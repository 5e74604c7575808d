import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { findNodeAtLocation, parse as parseJsonc, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { ParseError as JsoncError } from 'jsonc-parser';
import type { z } from 'zod';
import { UserError } from '../errors.js';
import { configSchema } from './config-schema.js';
import type { Config } from './config-schema.js';
import { CONFIG_FILE_NAME, WorkspacePaths } from './paths.js';
import { explainIssue } from './zod-issues.js';

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
 * The workspace at `dir`, or a UserError when it holds no teamstate.json: a wrong
 * --workspace must not look like an empty workspace.
 */
export async function requireWorkspace(dir: string): Promise<WorkspacePaths> {
  const paths = new WorkspacePaths(dir);
  const st = await fs.stat(paths.configFile).catch(() => undefined);
  if (!st?.isFile()) {
    const there = existsSync(paths.root) ? `${paths.root} is not a workspace (no ${CONFIG_FILE_NAME})` : `${paths.root} does not exist`;
    throw new UserError(`${there}; pass --workspace DIR, or create one with \`teamstate init ${dir}\``);
  }
  return paths;
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
  // Parsed once per start (and per edit): zod's eval-compiled fast path would cost more to
  // build than it saves on one parse, and it is built before READY.
  const parsed = configSchema.safeParse(raw, { jitless: true });
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

/** Where the value at `p` (or its nearest existing parent) starts in the text. */
function locate(text: string, p: (string | number)[]): { line: number; column: number } {
  const tree = parseTree(text);
  for (let n = p.length; tree && n >= 0; n--) {
    const node = findNodeAtLocation(tree, p.slice(0, n));
    if (node) return lineColumn(text, node.parent?.type === 'property' ? node.parent.offset : node.offset);
  }
  return { line: 1, column: 1 };
}

/** "line:col: path: expected X, got Y" for one zod issue, located in the text. */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown, text: string): string {
  const { path: p, where, expected } = explainIssue(issue, raw);
  const pos = locate(text, issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...p, issue.keys[0]] : p);
  return `${pos.line}:${pos.column}: ${where}: ${expected}`;
}
