import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULES } from '../../src/checks/index.js';
import { describe, expect, it } from 'vitest';
import type { CliResult } from '../workspace/cli-helpers.js';
import { runCli } from '../workspace/cli-helpers.js';
import { project } from './helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.join(ROOT, 'tests/fixtures');

/** Runs `teamstate check ...` from source (so it needs no build) in `cwd`. */
const check = (args: string[], cwd: string): Promise<CliResult> => runCli(['check', ...args], { cwd, fromSource: true });

describe('teamstate check', () => {
  it('exits 0 on the clean twin and prints all three reports', async () => {
    const cwd = await project({});
    const r = await check([path.join(FIXTURES, 'fastapi-clean')], cwd);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# Architecture Validation Report');
    expect(r.stdout).toContain('# Code Review Report');
    expect(r.stdout).toContain('# Security Audit Report');
    expect(r.stdout).toMatch(/teamstate check: 0 findings \(0 blocking\) in 32 files of /);
  });

  it('exits 1 with blocking findings, and --json gives them with rule, file and line', async () => {
    const cwd = await project({});
    const r = await check([path.join(FIXTURES, 'fastapi-violations'), '--json', '--rule', 'no-debug,no-wildcard-cors'], cwd);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { blocking: number; findings: { rule: string; file: string; line: number }[] };
    expect(out.blocking).toBe(2);
    expect(out.findings.map((f) => `${f.rule} ${f.file}:${f.line}`)).toEqual(['no-debug app/main.py:9', 'no-wildcard-cors app/main.py:13']);
  });

  it('limits the output to one agent\'s report', async () => {
    const cwd = await project({});
    const r = await check([path.join(FIXTURES, 'fastapi-violations'), '--agent', 'code-reviewer'], cwd);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^# Code Review Report\n/);
    expect(r.stdout).not.toContain('# Security Audit Report');
  });

  it('saves a dependency baseline and reports what was added since', async () => {
    const dir = await project({ 'requirements.txt': 'fastapi>=0.128\n' });
    const base = path.join(dir, 'baseline.json');
    expect((await check(['.', '--save-baseline', base], dir)).code).toBe(0);
    await fs.appendFile(path.join(dir, 'requirements.txt'), 'requests\n');
    const r = await check(['.', '--baseline', base, '--json'], dir);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { findings: { rule: string; file: string; line: number }[] }).findings).toMatchObject([
      { rule: 'no-unapproved-dependency', file: 'requirements.txt', line: 2 },
    ]);
  });

  it('uses the workspace config\'s disabled rules and project folder', async () => {
    const dir = await project({ 'proj/app/main.py': 'DEBUG = True\n' });
    const config = { members: ['backend-engineer', 'conductor'], engine: { member: 'backend-engineer' }, project: 'proj', checks: { disabled: [{ rule: 'no-debug', reason: 'demo app' }] } };
    await fs.writeFile(path.join(dir, 'teamstate.json'), JSON.stringify(config));
    const r = await check(['--agent', 'security-auditor'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('## Rules Switched Off\n- no-debug: demo app');
  });

  it('lists every rule with its sub-agent and severity', async () => {
    const cwd = await project({});
    const r = await check(['--list-rules'], cwd);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(RULES.length);
    expect(r.stdout).toMatch(/^no-raw-sql +security-auditor +CRITICAL +blocking +SQL injection risk$/m);
  });

  it('says what to do about an unknown rule', async () => {
    const cwd = await project({});
    const r = await check(['.', '--rule', 'nope'], cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^teamstate: unknown rule "nope": expected one of layer-endpoint-repository, /);
  });
});
