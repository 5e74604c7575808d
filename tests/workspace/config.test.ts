import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { loadConfig, parseConfigText, resolveWorkspaceDir } from '../../src/workspace/config.js';
import { configSchema, STEPS } from '../../src/workspace/config-schema.js';
import { configTemplate, DEFAULT_MEMBERS } from '../../src/workspace/config-template.js';
import { tempDir } from './helpers.js';

const base = '"members": ["a", "b"], "engine": {"member": "a"}';

function errorOf(text: string): string {
  try {
    parseConfigText(text, '/ws/teamstate.json');
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('the default config template', () => {
  it("parses to the schema's defaults plus the six members, the engine member and the builder alias", () => {
    const expected = configSchema.parse({ members: [...DEFAULT_MEMBERS], engine: { member: 'backend-engineer' }, aliases: { builder: 'backend-engineer' } });
    expect(parseConfigText(configTemplate(), 'x')).toEqual(expected);
    expect(expected.members).toEqual(['analyst', 'conductor', 'backend-engineer', 'breaker', 'sentinel', 'librarian']);
  });

  it('explains each field with a comment', () => {
    const text = configTemplate();
    for (const field of ['members', 'engine', 'aliases', 'conductor', 'project', 'steps', 'limits', 'agentLog', 'checks', 'scanIntervalMs', 'fsync']) {
      const line = text.split('\n').findIndex((l) => l.includes(`"${field}"`));
      expect(line, field).toBeGreaterThan(0);
      const around = text.split('\n').slice(Math.max(0, line - 3), line + 1).join('\n');
      expect(around, field).toMatch(/\/\//);
    }
    expect(text).toMatch(/"preset": "claude"/);
  });

  it('sets every step to the instant handler in the instant preset', () => {
    const config = parseConfigText(configTemplate('instant'), 'x');
    for (const step of STEPS) expect(config.steps[step]).toEqual({ kind: 'instant' });
  });
});

describe('parseConfigText', () => {
  it('accepts comments, trailing commas and a BOM', () => {
    expect(parseConfigText(`\uFEFF// hi\n{ ${base}, /* x */ "fsync": false, }`, 'x').fsync).toBe(false);
  });

  it('shows the file, line:column and what was wrong for a JSONC syntax error', () => {
    expect(errorOf(`{\n  ${base}\n  "x" 1\n}`)).toMatch(/^\/ws\/teamstate\.json:3:3: not valid JSON \(expected ","\)/);
    expect(errorOf(`{ ${base}, "a": "unclosed }`)).toMatch(/teamstate\.json:1:\d+: not valid JSON \(unclosed string\)/);
  });

  it('shows the file, the field path and what is expected for a schema error', () => {
    expect(errorOf(`{ ${base},\n "limits": { "fixCycles": "x" } }`)).toBe('/ws/teamstate.json:2:14: limits.fixCycles: expected a number, got "x"');
    expect(errorOf(`{ ${base}, "conductor": "robot" }`)).toMatch(/: conductor: expected one of "member", "person", got "robot"$/);
    expect(errorOf(`{ ${base}, "steps": { "plan": { "kind": "command" } } }`)).toMatch(/steps\.plan: a command step needs "argv" \(the program and its arguments\) or "preset" \("claude", "codex" or "gemini"\)$/);
    expect(errorOf(`{ ${base}, "colour": 1 }`)).toMatch(/\(top level\): unknown field "colour"/);
    // Typos inside a step are refused like any other unknown field, not ignored.
    expect(errorOf(`{ ${base}, "steps": { "fix": { "kind": "command", "argv": ["x"], "retrys": 1 } } }`)).toMatch(/:1:\d+: steps\.fix: unknown field "retrys"; remove or fix the name$/);
    expect(errorOf(`{ ${base}, "steps": { "plan": { "kind": "manual", "timeoutMs": 5 } } }`)).toMatch(/steps\.plan: unknown field "timeoutMs"/);
    expect(errorOf('{ "members": ["a"], "engine": {"member": "a"} }')).toMatch(/members: expected at least 2 entries, got 1/);
  });

  it('refuses an engine member, alias target or member name that is not a member', () => {
    expect(errorOf('{ "members": ["a", "b"], "engine": {"member": "c"} }')).toMatch(/engine\.member: "c" is not one of members \(a, b\)/);
    expect(errorOf(`{ ${base}, "aliases": { "x": "zz" } }`)).toMatch(/aliases\.x: "zz" is not one of members/);
    expect(errorOf('{ "members": ["a", "../b"], "engine": {"member": "a"} }')).toMatch(/members\[1\]: expected a member name/);
    expect(errorOf('{ "members": ["a", "a"], "engine": {"member": "a"} }')).toMatch(/"a" is listed twice/);
    expect(errorOf(`{ ${base}, "aliases": { "B/x": "a" } }`)).toMatch(/aliases\.B\/x: the name "B\/x" is not valid: expected a member name/);
    expect(errorOf(`{ ${base}, "limits": { "fixCycles": 1.5 } }`)).toMatch(/limits\.fixCycles: expected a whole number, got 1\.5$/);
  });
});

describe('loadConfig', () => {
  it('tells the user to run init when there is no config', async () => {
    const dir = await tempDir();
    await expect(loadConfig(dir)).rejects.toThrow(/teamstate\.json: no teamstate\.json here; run `teamstate init/);
  });

  it('reads the config of a workspace', async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, 'teamstate.json'), configTemplate('instant'));
    expect((await loadConfig(dir)).engine.member).toBe('backend-engineer');
  });
});

describe('resolveWorkspaceDir', () => {
  it('uses the given folder, else . when it holds teamstate.json, else ./workspace', async () => {
    const dir = await tempDir();
    expect(resolveWorkspaceDir('x', dir)).toBe(path.join(dir, 'x'));
    expect(resolveWorkspaceDir(undefined, dir)).toBe(path.join(dir, 'workspace'));
    await fs.writeFile(path.join(dir, 'teamstate.json'), '{}');
    expect(resolveWorkspaceDir(undefined, dir)).toBe(dir);
  });
});
