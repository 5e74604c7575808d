import type { Message } from '../protocol/schema.js';

/** A reply the scripted team waits for: `count` messages of `type` to `to` for the task. */
export interface Expect {
  to: string;
  type: string;
  count: number;
  /** Text the reply must contain (e.g. the completion STATUS). */
  contains?: string;
}

/** One stage of a task's scenario: wait for a reply, then drop a message (or nothing). */
export interface Stage {
  label: string;
  after?: Expect;
  /** What a peer sends when `after` has arrived. */
  drop?: Omit<Message, 'task'>;
}

const ENGINEER = 'backend-engineer';

/** The analyst's report, in the analyst's own HANDOFF format (analyst.md). */
export function handoffReport(task: string): string {
  return [
    `## ANALYST REPORT — ${task}`,
    '### ENTRY POINT',
    'app/api/v1/endpoints/users.py:14 — create_user',
    '### CALL CHAIN',
    'app/api/v1/endpoints/users.py:create_user → app/services/UserService.py:create → app/repositories/UserRepository.py:add',
    '### FILES IN SCOPE (ordered by edit sequence)',
    '1. app/models/User.py — the User model (add email_verified)',
    '2. app/schemas/UserSchema.py — UserCreate/UserResponse',
    '3. app/repositories/UserRepository.py — persistence',
    '4. app/services/UserService.py — signup rules',
    '5. app/api/v1/endpoints/users.py — the route',
    '### DEPENDENCIES (do not touch)',
    '- app/core/security.py — password hashing shared by auth',
    '### IMPLICIT COUPLING',
    '- app/main.py registers the router; middleware logs request bodies',
    '### TEST COVERAGE',
    '- app/services/UserService.py → tested in tests/test_users.py — passing',
    '- app/api/v1/endpoints/users.py → NO TESTS',
    '### LANDMINES',
    '- [LANDMINE] app/core/security.py:40 — bcrypt runs sync inside async handlers',
    '- [LANDMINE] the request-logging middleware would log passwords in request bodies',
  ].join('\n');
}

/**
 * The lifecycle the demo, the crash suite and the tests drive: handoff, a rejected plan,
 * an approval, a BUG from breaker, a FAIL from sentinel, then a PASS — every path of the
 * fix loop once. With `conductor: 'person'` the plan decisions are left to a person.
 */
export function fullScenario(task: string, conductor: 'scripted' | 'person' = 'scripted'): Stage[] {
  const stages = scriptedScenario(task);
  // A person decides as often as they like; breaker's stage waits for the approved plan's HANDOFF.
  return conductor === 'person' ? stages.filter((s) => s.drop?.from !== 'conductor') : stages;
}

function scriptedScenario(task: string): Stage[] {
  return [
    { label: 'analyst hands off', drop: { from: 'analyst', to: ['builder'], type: 'HANDOFF', priority: 'MEDIUM', body: handoffReport(task), action: 'Use this map for implementation. Watch the LANDMINES section.' } },
    {
      label: 'conductor rejects the first plan',
      after: { to: 'conductor', type: 'PLAN', count: 1 },
      drop: { from: 'conductor', to: [ENGINEER], type: 'STATUS', priority: 'HIGH', body: 'REJECTED: say how passwords stay out of the request log', action: 'Revise the plan and resubmit.' },
    },
    { label: 'conductor approves the revision', after: { to: 'conductor', type: 'PLAN', count: 2 }, drop: { from: 'conductor', to: [ENGINEER], type: 'STATUS', priority: 'HIGH', body: 'APPROVED', action: 'Implement the approved plan.' } },
    {
      label: 'breaker finds a bug',
      after: { to: 'breaker', type: 'HANDOFF', count: 1 },
      drop: {
        from: 'breaker',
        to: ['builder'],
        type: 'BUG',
        priority: 'HIGH',
        body: '## BUG-1: signup accepts an email with a NUL byte\n- Severity: HIGH\n- Reproduce: POST /users {"email": "a\\u0000@x.io"}\n- Expected: 422\n- Actual: 500',
        action: 'Fix this. Re-message sentinel when done.',
      },
    },
    {
      label: 'sentinel reports a failure',
      after: { to: 'sentinel', type: 'BUG_FIX', count: 1 },
      drop: { from: 'sentinel', to: ['builder'], type: 'FAIL', priority: 'HIGH', body: '## SENTINEL: FAILURES DETECTED\n- Tests: FAIL — 1 failures\n  1. test_signup_duplicate_email — AssertionError: 500 != 409', action: 'Fix 1 test failures.' },
    },
    { label: 'sentinel passes', after: { to: 'sentinel', type: 'BUG_FIX', count: 2 }, drop: { from: 'sentinel', to: ['ALL'], type: 'PASS', priority: 'LOW', body: '## SENTINEL: ALL CLEAR\n- Tests: PASS (42 passed)\n- Types: PASS\n- Lint: PASS', action: 'Log the task and report completion.' } },
    { label: 'task complete', after: { to: 'conductor', type: 'STATUS', count: 1, contains: 'Task complete' } },
  ];
}
