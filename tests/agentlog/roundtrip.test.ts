import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { RunMetrics } from '../../src/agentlog/index.js';
import { parseAgentLog, renderEntry } from '../../src/agentlog/index.js';
import { SUBAGENTS } from '../../src/workspace/config-schema.js';
import { metrics } from './metrics.js';

// Words chosen to stress the format: dashes, colons, brackets, markdown marks, non-ASCII.
const WORDS = ['users', 'email', 'None', 'UserRepository', 'users.py', 'e-mail', '→', 'été', '`code`', '[x]', '#', '##', '**bold**', 'a:b', '50%', '(paren)', '—', '-', 'task', 'yes', 'no', '0', '3'];
const words = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 6 }).map((w) => w.join(' '));
const slugs = fc.constantFrom('high', 'medium', 'low', 'injection', 'violations', 'n_plus_one');
const date = fc.record({ y: fc.integer({ min: 2000, max: 2099 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) }).map(
  ({ y, m, d }) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
);
const file = fc.array(fc.constantFrom('app', 'services', 'UserService.py', 'alembic', 'versions', '001 add users.py'), { minLength: 1, maxLength: 4 }).map((p) => p.join('/'));
const list = fc.array(words, { maxLength: 4 });
const count = fc.nat({ max: 20 });

const runMetrics: fc.Arbitrary<RunMetrics> = fc.record({
  date,
  task: words,
  taskId: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,12}$/),
  filesChanged: fc.array(fc.record({ file, change: fc.oneof(words, fc.constant('')) }), { maxLength: 5 }),
  layerViolations: fc.record({ count, details: list }),
  namingDeviations: list,
  subagents: fc.array(
    fc.oneof(
      fc.record({ agent: fc.constantFrom(...SUBAGENTS), finding: words, blocking: count, counts: fc.dictionary(slugs, count, { maxKeys: 3 }) }),
      fc.record({ agent: fc.constantFrom(...SUBAGENTS), finding: fc.constant('skipped'), blocking: fc.constant(0), counts: fc.constant({}) }),
    ),
    { maxLength: 5 },
  ),
  firstPassSuccess: fc.boolean(),
  fixCycles: fc.record({ count, fixed: list }),
  planApprovedFirstTry: fc.boolean(),
  planRevisions: fc.nat({ max: 6 }),
  breakerBugs: fc.record({ count, classes: fc.array(fc.constantFrom('injection', 'null-handling', 'auth-bypass', 'race', 'other'), { maxLength: 3 }) }),
  sentinelPassedFirstTry: fc.boolean(),
  securityFindings: fc.record({ injection: count, total: count }),
  learnings: list,
  differently: list,
});

describe('an entry rendered and parsed back', () => {
  it('keeps every figure (generated runs)', () => {
    fc.assert(
      fc.property(runMetrics, (m) => {
        const log = parseAgentLog(renderEntry(m));
        expect(log.problems).toEqual([]);
        expect(log.entries).toHaveLength(1);
        const e = log.entries[0]!;
        expect(e.missing).toEqual([]);
        expect(e.metrics).toEqual(m);
      }),
      { numRuns: 300 },
    );
  });

  it('stays one readable entry with the same counts whatever text the run carries', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const texts = fc.array(text, { maxLength: 3 });
    const wild = fc.record({
      task: text,
      change: text,
      details: texts,
      deviations: texts,
      finding: text,
      learnings: texts,
      fixed: texts,
      classes: texts,
    });
    fc.assert(
      fc.property(wild, (w) => {
        const m = metrics({
          task: w.task,
          filesChanged: [{ file: 'app/x.py', change: w.change }],
          layerViolations: { count: w.details.length, details: w.details },
          namingDeviations: w.deviations,
          subagents: [{ agent: 'security-auditor', finding: w.finding, blocking: 1, counts: { high: 1 } }],
          fixCycles: { count: w.fixed.length, fixed: w.fixed },
          breakerBugs: { count: w.classes.length, classes: w.classes },
          learnings: w.learnings,
        });
        const log = parseAgentLog('# Backend Engineer — Agent Log\n\n' + renderEntry(m));
        expect(log.problems).toEqual([]);
        expect(log.entries).toHaveLength(1);
        const got = log.entries[0]!.metrics;
        expect(got.taskId).toBe('t-1');
        expect(got.filesChanged).toHaveLength(1);
        expect(got.layerViolations?.details).toHaveLength(w.details.length);
        expect(got.namingDeviations).toHaveLength(w.deviations.length);
        expect(got.subagents?.map((s) => [s.agent, s.blocking, s.counts])).toEqual([['security-auditor', 1, { high: 1 }]]);
        expect(got.fixCycles?.fixed).toHaveLength(w.fixed.length);
        expect(got.breakerBugs?.classes).toHaveLength(w.classes.length);
        expect(got.learnings).toHaveLength(w.learnings.length);
        expect([got.firstPassSuccess, got.planApprovedFirstTry, got.sentinelPassedFirstTry]).toEqual([true, true, true]);
      }),
      { numRuns: 300 },
    );
  });

  it("writes the seed's sections in the seed's order, with the task id in the summary line", () => {
    const text = renderEntry(
      metrics({
        layerViolations: { count: 1, details: ['users.py imports UserRepository'] },
        namingDeviations: ['user_service.py (expected UserService.py)'],
        subagents: [
          { agent: 'architecture-validator', finding: 'endpoint reaches a repository', blocking: 1, counts: { violations: 1 } },
          { agent: 'database-architect', finding: 'skipped', blocking: 0, counts: {} },
        ],
        firstPassSuccess: false,
        fixCycles: { count: 2, fixed: ['BUG-1 null email (breaker)', 'FAIL test_users (sentinel)'] },
        planApprovedFirstTry: false,
        planRevisions: 1,
        breakerBugs: { count: 1, classes: ['null-handling'] },
        securityFindings: { injection: 1, total: 2 },
      }),
    );
    expect(text).toBe(
      [
        '## 2026-11-20 — Add users endpoint (task t-1)',
        '### What I did',
        '- app/services/UserService.py: created',
        '### Architecture compliance',
        '- Layer violations found: 1 — users.py imports UserRepository',
        '- Naming conventions followed: no — user_service.py (expected UserService.py)',
        '- Security findings: 2 — injection 1',
        '### Sub-agents used',
        '- architecture-validator: blocking 1 (violations 1) — endpoint reaches a repository',
        '- database-architect: skipped',
        '### First-pass success: no',
        '- Fix cycles: 2 — BUG-1 null email (breaker); FAIL test_users (sentinel)',
        '### Communication effectiveness',
        '- Plan approved first try: no — 1 revision',
        '- Breaker bugs: 1 — null-handling',
        '- Sentinel passed first try: yes',
        '### Backend-specific learnings (NEW)',
        '- no new backend pattern',
        "### What I'd do differently",
        '- keep the approach',
        '',
      ].join('\n'),
    );
  });

  it('does not repeat a task id the summary already carries', () => {
    expect(renderEntry(metrics({ task: 'Add users (task t-1)' })).split('\n')[0]).toBe('## 2026-11-20 — Add users (task t-1)');
  });
});
