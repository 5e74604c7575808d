import { describe, expect, it } from 'vitest';
import { classifyBug, parseAgentLog, reflect, trends } from '../../src/agentlog/index.js';
import { entriesOf, metrics } from './metrics.js';

describe('trends', () => {
  it('gives fix cycles per task and the first-pass, approval and sentinel rates', () => {
    const t = trends(
      entriesOf([
        metrics({ taskId: 'a', firstPassSuccess: false, fixCycles: { count: 3, fixed: [] }, planApprovedFirstTry: false, planRevisions: 1, sentinelPassedFirstTry: false }),
        metrics({ taskId: 'b', firstPassSuccess: false, fixCycles: { count: 2, fixed: [] } }),
        metrics({ taskId: 'c' }),
        metrics({ taskId: 'd' }),
      ]),
    );
    expect(t).toMatchObject({ tasks: 4, fixCycles: [3, 2, 0, 0], firstPassRate: 0.5, approvalRate: 0.75, sentinelFirstPassRate: 0.75, fixCyclesTrend: 'improving' });
    expect(t.perTask[0]).toEqual({ date: '2026-11-20', task: 'Add users endpoint', taskId: 'a', fixCycles: 3, firstPass: false, planApproved: false, planRevisions: 1, sentinelFirstTry: false, breakerBugs: 0, layerViolations: 0, costUsd: null });
  });

  it('rates only over the entries that state a figure, and says when there are too few tasks', () => {
    const log = parseAgentLog('## 2026-01-01 — hand-written\n- Sentinel passed first try: no\n');
    expect(trends(log.entries)).toMatchObject({ tasks: 1, fixCycles: [], firstPassRate: 0, rated: { firstPass: 0, approval: 0, sentinel: 1 }, sentinelFirstPassRate: 0, fixCyclesTrend: 'too few tasks' });
    expect(trends([])).toMatchObject({ tasks: 0, perTask: [] });
  });

  it('calls rising fix cycles degrading', () => {
    const runs = [0, 0, 2, 3].map((n, i) => metrics({ taskId: `t${i}`, fixCycles: { count: n, fixed: [] } }));
    expect(trends(entriesOf(runs)).fixCyclesTrend).toBe('degrading');
  });
});

describe('reflect', () => {
  it('derives learnings and adjustments from the figures only', () => {
    const { learnings, differently } = reflect(
      metrics({
        filesChanged: [
          { file: 'app/models/Order.py', change: 'created' },
          { file: 'alembic/versions/002_orders.py', change: 'created' },
        ],
        layerViolations: { count: 2, details: ['orders.py imports OrderRepository', 'OrderService raises HTTPException'] },
        firstPassSuccess: false,
        fixCycles: { count: 1, fixed: ['BUG-1 null total (breaker)'] },
        planApprovedFirstTry: false,
        planRevisions: 1,
        breakerBugs: { count: 1, classes: ['null-handling'] },
      }),
    );
    expect(learnings).toContain('schema change needed a migration (alembic/versions/002_orders.py)');
    expect(learnings).toContain('breaker found null-handling bugs in this code');
    expect(differently).toContain('validate layers before coding: 2 violations found after');
    expect(differently).toContain('put more detail in the first plan: 1 revision before approval');
    expect(differently).toContain('catch these before handoff: 1 fix cycle (BUG-1 null total (breaker))');
  });

  it('says a clean run was clean', () => {
    const r = reflect(metrics());
    expect(r.learnings).toEqual(['no new backend pattern: the established conventions held']);
    expect(r.differently).toEqual(['keep the approach: first-pass success, plan approved first try, sentinel passed first try']);
  });
});

describe('classifyBug', () => {
  it.each([
    ['BUG-1: SQL injection in /users?search=', ['injection']],
    ["BUG-2: GET /users/{id} returns another user's profile (IDOR)", ['auth-bypass']],
    ['BUG-3: email is None when the form omits it → AttributeError', ['null-handling']],
    ['BUG-4: two parallel requests create duplicate orders (race)', ['race']],
    ['BUG-5: none of the fields are trimmed', ['other']],
    ['BUG-6: password hash returned in the response', ['data-exposure']],
  ])('reads "%s" as %j', (text, classes) => {
    expect(classifyBug(text)).toEqual(classes);
  });
});
