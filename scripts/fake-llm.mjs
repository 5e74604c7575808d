#!/usr/bin/env node
// A deterministic stand-in for an LLM CLI (`claude -p` and the like), for demos and tests.
// It reads the prompt on stdin and the TEAMSTATE_* env a `command` step gives, and answers
// the step: a plan in the submission format drawn from the handoff in context.json, an
// implementation summary listing the plan's files, or a sub-agent report in its format.
//
// Failures on demand (env, or the same as --flags: --fail=plan:2):
//   FAKE_LLM_FAIL=<step>[:<n>]          exit 1 the first n times (default 1)
//   FAKE_LLM_HANG=<step>                never exit, and ignore SIGTERM
//   FAKE_LLM_NEEDS_PERSON=<step>[:<code>]  exit with <code> (default 3)
//   FAKE_LLM_BAD_PLAN=1                 leave "Security considerations" out of the first plan
//   FAKE_LLM_FINDINGS=<agent>:<n>       report n blocking findings the first time (checking code)
//   FAKE_LLM_PLAN_FINDINGS=<n>          the architecture-validator's plan check reports n, the first time
//   FAKE_LLM_TO_FILE=1                  write the answer to TEAMSTATE_OUTPUT, log on stdout
// Lists take commas: FAKE_LLM_FAIL=plan:2,implement. "First time" is counted in files
// beside the step folders (runs/<run>/steps/), or in FAKE_LLM_STATE_DIR.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const env = process.env;

function option(name) {
  const flag = `--${name.toLowerCase().replaceAll('_', '-')}`;
  for (const [i, a] of process.argv.slice(2).entries()) {
    if (a === flag) {
      const next = process.argv[i + 3];
      return next === undefined || next.startsWith('--') ? '1' : next;
    }
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
  }
  return env[`FAKE_LLM_${name}`];
}

/** `plan:2,implement` → Map { plan → 2, implement → fallback } */
function listOption(name, fallback) {
  const out = new Map();
  for (const part of (option(name) ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [key, value] = part.split(':');
    out.set(key, value === undefined ? fallback : Number(value));
  }
  return out;
}

const step = env.TEAMSTATE_STEP ?? option('STEP') ?? 'plan';
const stepDir = env.TEAMSTATE_STEP_DIR ?? process.cwd();

function stateDir() {
  if (env.FAKE_LLM_STATE_DIR) return env.FAKE_LLM_STATE_DIR;
  let dir = stepDir;
  for (let i = 0; i < 3; i++) {
    if (basename(dir) === 'steps') return dir;
    dir = dirname(dir);
  }
  return dirname(stepDir);
}

/** How many times this (kind, step) was counted before; counts this time. */
function countBefore(kind) {
  const file = join(stateDir(), `.fake-llm-${kind}-${step}${input.mode === 'plan' ? '-plan' : ''}.count`);
  const before = existsSync(file) ? Number(readFileSync(file, 'utf8')) || 0 : 0;
  writeFileSync(file, String(before + 1));
  return before;
}

const prompt = readFileSync(0, 'utf8');
const context = env.TEAMSTATE_CONTEXT && existsSync(env.TEAMSTATE_CONTEXT) ? JSON.parse(readFileSync(env.TEAMSTATE_CONTEXT, 'utf8')) : {};
const input = context.input ?? {};

function respond() {
  if (step === 'plan') return plan();
  if (step === 'implement' || step === 'fix') return implementation();
  return report(step);
}

// --- the analyst's handoff, read just enough ---------------------------------------------

const PATH = /[A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_.-]+)+\.[A-Za-z0-9]+|[A-Za-z0-9_-]+\.py/;

function sections(text) {
  const out = {};
  let current;
  for (const line of (text ?? '').split(/\r?\n/)) {
    const heading = /^\s*#{1,6}\s*([A-Za-z][A-Za-z ]*)/.exec(line);
    if (heading) {
      current = heading[1].trim().toUpperCase();
      out[current] = [];
    } else if (current && line.trim()) {
      out[current].push(line.replace(/^\s*(?:[-*+]|\d+[.)])\s*/, '').trim());
    }
  }
  return out;
}

const pick = (s, prefix) => Object.entries(s).find(([k]) => k.startsWith(prefix))?.[1] ?? [];
const pathOf = (line) => PATH.exec(line)?.[0];

function layerOf(p) {
  if (/(^|\/)tests?\//.test(p)) return undefined;
  if (/Repository\.py$|\/repositor(y|ies)\//.test(p)) return 'repository';
  if (/Service\.py$|\/services?\//.test(p)) return 'service';
  if (/Schema\.py$|\/schemas?\//.test(p)) return 'schema';
  if (/\/models?\//.test(p)) return 'model';
  if (/\/(endpoints?|routers?|api)\//.test(p)) return 'endpoint';
  return undefined;
}

function plan() {
  const s = sections(input.handoff);
  const files = pick(s, 'FILES IN SCOPE').map(pathOf).filter(Boolean);
  const landmines = [...pick(s, 'LANDMINE'), ...(input.handoff ?? '').split('\n').filter((l) => l.includes('[LANDMINE]') && !/^\s*-/.test(l))];
  const order = ['endpoint', 'service', 'repository', 'model', 'schema'];
  const layers = order.filter((l) => files.some((f) => layerOf(f) === l));
  const migration = files.some((f) => layerOf(f) === 'model');
  const bad = option('BAD_PLAN') && countBefore('bad-plan') === 0;
  const lines = [
    '## Backend Implementation Plan',
    `### Task: ${input.task?.subject ?? 'the task'}`,
    '### Architecture approach:',
    `- Layers affected: ${layers.join(', ') || 'none'}`,
    '- New files: none',
    `- Modified files: ${files.join(', ') || 'none'}`,
    `### Schema changes: ${migration ? files.filter((f) => layerOf(f) === 'model').join(', ') : 'none'}`,
    `### Migration needed: ${migration ? 'yes' : 'no'}`,
  ];
  if (!bad) {
    lines.push('### Security considerations:', ...(landmines.length ? landmines.map((l) => `- [LANDMINE] ${l.replace(/\[LANDMINE\]\s*/g, '')}`) : ['- auth on every route']));
  }
  lines.push(`### Estimated scope: ${files.length} files`);
  if ((input.rejections ?? []).length) lines.push('### Revision notes', ...input.rejections.map((r, i) => `- Rejection ${i + 1}: addressed "${r.split('\n')[0]}"`));
  return lines.join('\n') + '\n';
}

function planFiles() {
  const files = [];
  for (const line of (input.plan ?? '').split('\n')) {
    if (/^\s*-\s*(New|Modified) files:/i.test(line)) {
      for (const part of line.slice(line.indexOf(':') + 1).split(',')) if (pathOf(part)) files.push(pathOf(part));
    } else if (/^\s{2,}-\s/.test(line) && pathOf(line)) files.push(pathOf(line));
  }
  return files.length ? [...new Set(files)] : (input.files ?? []);
}

function implementation() {
  const files = planFiles();
  const what = step === 'fix' && input.issue ? `Fixed the ${input.issue.type} from ${input.issue.from}: ${input.issue.body.split('\n')[0]}` : `Implemented: ${input.task?.subject ?? 'the plan'}`;
  return `${what}\n\nFiles changed:\n${files.map((f) => `- ${f}`).join('\n')}\n`;
}

// --- sub-agent reports, in their formats -------------------------------------------------

function report(agent) {
  // The architecture-validator's check of the plan (mode "plan") has its own switch.
  const planMode = input.mode === 'plan';
  const wanted = planMode ? (option('PLAN_FINDINGS') ? Number(option('PLAN_FINDINGS')) : undefined) : listOption('FINDINGS', 1).get(agent);
  const n = wanted !== undefined && countBefore('findings') === 0 ? wanted : 0;
  const file = (planMode ? input.planFiles ?? [] : input.files ?? [])[0] ?? planFiles()[0] ?? 'app/api/v1/endpoints/items.py';
  const times = (k, f) => Array.from({ length: k }, (_, i) => f(String(i + 1).padStart(3, '0'))).join('\n');
  switch (agent) {
    case 'architecture-validator':
      return `# Architecture Validation Report\n\n## Summary\n- **Compliant**: ${5 - Math.min(n, 5)}/5 checks passed\n- **Violations**: ${n} issues found\n\n## Layer Violations\n${n ? times(n, (id) => `### [ARCH-${id}] Endpoint bypasses Service layer\n- **File**: ${file}:${id}\n- **Issue**: Direct repository access in endpoint\n- **Fix**: Inject and use the service`) : 'None.'}\n`;
    case 'security-auditor':
      return `# Security Audit Report\n\n## Summary\n- **Critical**: 0 issues\n- **High**: ${n} issues\n- **Medium**: 0 issues\n- **Low**: 1 issues\n\n## High Issues\n${times(n, (id) => `### [HIGH-${id}] SQL built from an f-string\n- **File**: ${file}:${id}\n- **Risk**: injection\n- **Fix**: bound parameters`)}\n\n## Low Issues\n### [LOW-001] Docs endpoint enabled\n`;
    case 'code-reviewer':
      return `# Code Review Report\n\n## File: ${file}\n\n### Issues Found: ${n + 1}\n\n${times(n, () => '#### [HIGH] Missing type hints\n- **Fix**: annotate every parameter')}\n\n#### [LOW] Missing documentation\n\n### Approved: ${n ? 'No' : 'Yes'}\n### Required Changes: ${n}\n`;
    case 'database-architect':
      return `# Database Design Report\n\n## Summary\n- **Blocking**: ${n} issues\n\n## Schema Design Checklist\n- [x] All tables have primary keys\n${times(n, (id) => `- [ ] Appropriate indexes created — missing index ${id}`)}\n`;
    case 'test-generator':
      return `# Test Generation Report\n\n## Summary\n- **Tests written**: 6\n- **Failing**: ${n}\n- **Coverage**: 83%\n\n## Failures\n${times(n, (id) => `### [FAIL-${id}] test_cancel_twice\n- **Error**: AssertionError`)}\n`;
    default:
      return `fake-llm: no answer for step "${agent}"\n${prompt.length} characters of prompt read\n`;
  }
}

function main() {
  if (listOption('HANG', 1).has(step)) {
    process.on('SIGTERM', () => {});
    process.stdout.write(`fake-llm: hanging in ${step}\n`);
    setInterval(() => {}, 1 << 30);
  } else {
    const fail = listOption('FAIL', 1).get(step);
    if (fail !== undefined && countBefore('fail') < fail) {
      process.stderr.write(`fake-llm: ${step} failed on purpose\nfake-llm: (FAKE_LLM_FAIL)\n`);
      process.exit(1);
    }
    const person = listOption('NEEDS_PERSON', 3).get(step);
    if (person !== undefined) {
      process.stderr.write(`fake-llm: ${step} needs a person to decide\n`);
      process.exit(person);
    }
    const answer = respond();
    if (option('TO_FILE') && env.TEAMSTATE_OUTPUT) {
      writeFileSync(env.TEAMSTATE_OUTPUT, answer);
      process.stdout.write(`fake-llm: wrote ${step} to ${env.TEAMSTATE_OUTPUT}\n`);
    } else {
      process.stdout.write(answer);
    }
  }
}

main();
