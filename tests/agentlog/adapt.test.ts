import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentLogConfig, RunMetrics } from '../../src/agentlog/index.js';
import { adaptationsFor, appendEntry, deriveAdaptations, parseAgentLog, renderAdaptations } from '../../src/agentlog/index.js';
import { entriesOf, metrics, ruleConfig, tempDir } from './metrics.js';

type ThresholdKey = 'layerViolationTasks' | 'injectionTasks' | 'rejectedPlanTasks' | 'repeatedBugClassTasks';

const RULES: { rule: string; key: ThresholdKey; hit: Partial<RunMetrics> }[] = [
  { rule: 'layer-violations', key: 'layerViolationTasks', hit: { layerViolations: { count: 2, details: ['users.py imports UserRepository'] } } },
  { rule: 'injection', key: 'injectionTasks', hit: { securityFindings: { injection: 1, total: 3 } } },
  { rule: 'plan-rejections', key: 'rejectedPlanTasks', hit: { planApprovedFirstTry: false, planRevisions: 2 } },
  { rule: 'repeated-bug-class', key: 'repeatedBugClassTasks', hit: { breakerBugs: { count: 1, classes: ['race'] } } },
];

/** Runs t-1.. in order, dated one day apart; `hits` marks which ones carry the rule's figure. */
function runs(hits: boolean[], hit: Partial<RunMetrics>): RunMetrics[] {
  return hits.map((h, i) => metrics({ taskId: `t-${i + 1}`, task: `Task ${i + 1}`, date: `2026-11-${String(10 + i)}`, ...(h ? hit : {}) }));
}

const config = (key: ThresholdKey, threshold: number, window = 5): AgentLogConfig => ruleConfig({ window, [key]: threshold });

describe('deriveAdaptations', () => {
  it.each(RULES)('fires $rule at its threshold and not below', ({ rule, key, hit }) => {
    const below = deriveAdaptations(entriesOf(runs([true, false, true, false, false], hit)), config(key, 3));
    expect(below).toEqual([]);
    const at = deriveAdaptations(entriesOf(runs([true, false, true, false, true], hit)), config(key, 3));
    expect(at.map((a) => a.rule)).toEqual([rule]);
  });

  it.each(RULES)('counts only the last `window` tasks for $rule', ({ rule, key, hit }) => {
    const old = deriveAdaptations(entriesOf(runs([true, true, false, false, false], hit)), config(key, 2, 3));
    expect(old).toEqual([]);
    const recent = deriveAdaptations(entriesOf(runs([false, false, true, false, true], hit)), config(key, 2, 3));
    expect(recent.map((a) => a.rule)).toEqual([rule]);
  });

  it('names the figures and the tasks they came from in each reason', () => {
    const log = runs([true, false, true], {});
    log[0] = { ...log[0]!, layerViolations: { count: 2, details: ['a'] }, planApprovedFirstTry: false, planRevisions: 2, securityFindings: { injection: 1, total: 1 }, breakerBugs: { count: 1, classes: ['null-handling'] } };
    log[2] = { ...log[2]!, layerViolations: { count: 1, details: ['b'] }, planApprovedFirstTry: false, planRevisions: 1, securityFindings: { injection: 3, total: 4 }, breakerBugs: { count: 2, classes: ['null-handling', 'null-handling'] } };
    const reasons = Object.fromEntries(deriveAdaptations(entriesOf(log), ruleConfig()).map((a) => [a.rule, a.reason]));
    expect(reasons).toEqual({
      'layer-violations': 'layer violations in 2 of the last 3 tasks (2026-11-10 Task 1: 2 violations; 2026-11-12 Task 3: 1 violation); rule fires at 2',
      injection: 'security-auditor found injection risks in 2 of the last 3 tasks (2026-11-10 Task 1: 1 finding; 2026-11-12 Task 3: 3 findings); rule fires at 2',
      'plan-rejections': 'plan not approved first try in 2 of the last 3 tasks (2026-11-10 Task 1: 2 revisions; 2026-11-12 Task 3: 1 revision); rule fires at 2',
      'repeated-bug-class': 'breaker found null-handling bugs in 2 of the last 3 tasks (2026-11-10 Task 1; 2026-11-12 Task 3); rule fires at 2',
    });
  });

  it('does not add up different bug classes into a repeat', () => {
    const log = [metrics({ taskId: 'a', breakerBugs: { count: 1, classes: ['race'] } }), metrics({ taskId: 'b', breakerBugs: { count: 1, classes: ['injection'] } })];
    expect(deriveAdaptations(entriesOf(log), ruleConfig())).toEqual([]);
  });

  it('gives one adaptation per repeated class, each saying how to address it', () => {
    const both = { breakerBugs: { count: 2, classes: ['race', 'auth-bypass'] } };
    const out = deriveAdaptations(entriesOf(runs([true, true], both)), ruleConfig());
    expect(out.map((a) => a.instruction.slice(0, 40))).toEqual(['Address race bugs proactively: make chec', 'Address auth-bypass bugs proactively: gu']);
  });

  it('skips unreadable entries: they neither count nor take a place in the window', () => {
    const hit = RULES[0]!.hit;
    const text = entriesOf(runs([true, true], hit)).map((e) => e.raw).join('') + '## Retro\nlayer violations everywhere\n';
    const log = parseAgentLog(text);
    expect(log.problems).toHaveLength(1);
    expect(deriveAdaptations(log.entries, ruleConfig({ window: 2 })).map((a) => a.rule)).toEqual(['layer-violations']);
  });

  it('reads injection from a hand-written security-auditor line, unless the line denies it', () => {
    const entry = (date: string, finding: string): string => `## ${date} — Task\n### Sub-agents used\n- security-auditor: ${finding}\n`;
    const found = parseAgentLog(entry('2026-01-01', 'found SQL injection risk in search') + entry('2026-01-02', 'raw SQL string concatenation in UserRepository'));
    expect(deriveAdaptations(found.entries, ruleConfig()).map((a) => a.rule)).toEqual(['injection']);
    const denied = parseAgentLog(entry('2026-01-01', 'no injection risks found') + entry('2026-01-02', 'clean: injection checks passed'));
    expect(deriveAdaptations(denied.entries, ruleConfig())).toEqual([]);
  });

  it('classifies the bug prose of hand-written entries, so a repeated class is still seen', () => {
    const entry = (date: string, bugs: string): string => `## ${date} — Task\n### Communication effectiveness\n- Breaker bugs: ${bugs}\n`;
    const log = parseAgentLog(entry('2026-01-01', '2 — preventable: email None on signup, SQL injection in search') + entry('2026-01-02', '1 — null total when cart is empty'));
    expect(log.entries.map((e) => e.metrics.breakerBugs?.classes)).toEqual([['null-handling', 'injection'], ['null-handling']]);
    expect(deriveAdaptations(log.entries, ruleConfig()).map((a) => a.instruction.split(':')[0])).toEqual(['Address null-handling bugs proactively']);
  });
});

describe('a second task', () => {
  it("adapts from the first task's entry (thresholds at 1)", async () => {
    const project = await tempDir('second-task');
    const cfg = ruleConfig({ layerViolationTasks: 1, injectionTasks: 1, rejectedPlanTasks: 1, repeatedBugClassTasks: 1 });
    expect((await adaptationsFor(project, cfg)).adaptations).toEqual([]);

    await appendEntry(project, cfg, metrics({ date: '2026-11-20', task: 'Add users endpoint', taskId: 't-17', layerViolations: { count: 2, details: ['users.py imports UserRepository', 'UserService raises HTTPException'] } }), { fsync: false });
    const next = await adaptationsFor(project, cfg);
    expect(next.problems).toEqual([]);
    expect(next.adaptations).toEqual([
      {
        rule: 'layer-violations',
        instruction: expect.stringMatching(/^Run architecture-validator on the planned files before implementing, as well as after/),
        reason: 'layer violations in 1 of 1 logged task (2026-11-20 Add users endpoint: 2 violations); rule fires at 1',
      },
    ]);
    expect(renderAdaptations(next.adaptations)).toContain('Why: layer violations in 1 of 1 logged task (2026-11-20 Add users endpoint: 2 violations)');
  });
});

describe('a long log', () => {
  it('gives the same adaptations from its last entries as from the whole log', async () => {
    const project = await tempDir('long-log');
    const cfg = ruleConfig({ window: 5, layerViolationTasks: 2, rejectedPlanTasks: 2 });
    const hits = Array.from({ length: 40 }, (_, i) => i % 3 === 0);
    for (const m of runs(hits, { layerViolations: { count: 1, details: ['users.py imports UserRepository'] }, planApprovedFirstTry: false, planRevisions: 1 }).map((m, i) => ({ ...m, date: `2026-${String(1 + Math.floor(i / 28)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}` }))) {
      await appendEntry(project, cfg, m, { fsync: false });
    }
    const whole = deriveAdaptations(parseAgentLog(await readFile(path.join(project, cfg.path), 'utf8')).entries, cfg);
    expect(whole.length).toBeGreaterThan(0);
    expect((await adaptationsFor(project, cfg)).adaptations).toEqual(whole);
  });
});

describe('tasks starting together', () => {
  it('share one reading of the log until it changes, then read it again', async () => {
    const project = await tempDir('shared-read');
    const cfg = ruleConfig({ layerViolationTasks: 1 });
    await appendEntry(project, cfg, metrics({ date: '2026-11-20', task: 'First', taskId: 't-1' }), { fsync: false });
    const first = await adaptationsFor(project, cfg);
    // Nothing changed: the same reading serves the next task.
    expect(await adaptationsFor(project, cfg)).toBe(first);
    expect(first.adaptations).toEqual([]);
    await appendEntry(project, cfg, metrics({ date: '2026-11-21', task: 'Second', taskId: 't-2', layerViolations: { count: 1, details: ['users.py imports UserRepository'] } }), { fsync: false });
    const after = await adaptationsFor(project, cfg);
    expect(after).not.toBe(first);
    expect(after.adaptations.map((a) => a.rule)).toEqual(['layer-violations']);
    // Another config is derived for anew, even from the same log.
    const other = ruleConfig({ layerViolationTasks: 5 });
    expect((await adaptationsFor(project, other)).adaptations).toEqual([]);
  });
});
