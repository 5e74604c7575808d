import { describe, expect, it } from 'vitest';
import { stagesOf, stuckSteps, subagentsOf } from '../../src/ui/lifecycle.js';
import { runState } from './states.js';

const marks = (s: ReturnType<typeof stagesOf>) => s.map((x) => `${x.status === 'done' ? '✓' : x.status === 'current' ? '*' : x.status === 'blocked' ? '!' : x.status === 'cancelled' ? 'x' : '·'}${x.label}`).join(' ');

describe('the lifecycle stepper', () => {
  it.each<[string, unknown, string[], object, string]>([
    ['waits for the handoff', 'idle', ['waiting-on-analyst'], {}, '*handoff ·read log ·plan ·approval ·implement ·sub-agents ·hand off ·verify ·log entry ·done'],
    ['waits for approval', { awaitingApproval: 'waiting' }, ['waiting-on-conductor'], {}, '✓handoff ✓read log ✓plan *approval ·implement ·sub-agents ·hand off ·verify ·log entry ·done'],
    ['marks an overdue approval blocked', { awaitingApproval: 'overdue' }, ['waiting-on-person'], {}, '✓handoff ✓read log ✓plan !approval ·implement ·sub-agents ·hand off ·verify ·log entry ·done'],
    ['names the fix cycle', { fixing: { fixing: 'running' } }, ['working'], { fixCycles: 1 }, '✓handoff ✓read log ✓plan ✓approval ✓implement ✓sub-agents ✓hand off *fix #2 ·log entry ·done'],
    ['puts a fix escalation at verify', 'escalated', ['waiting-on-conductor', 'waiting-on-person'], { escalation: { kind: 'fix', reason: '' } }, '✓handoff ✓read log ✓plan ✓approval ✓implement ✓sub-agents ✓hand off !verify ·log entry ·done'],
    ['shows where a cancelled run stopped', 'cancelled', ['finished'], { handoff: 'x', plan: 'p' }, '✓handoff ✓read log ✓plan xapproval ximplement xsub-agents xhand off xverify xlog entry xdone'],
    ['is all done when done', 'done', ['finished'], {}, '✓handoff ✓read log ✓plan ✓approval ✓implement ✓sub-agents ✓hand off ✓verify ✓log entry ✓done'],
  ])('%s', (_name, value, tags, ctx, want) => {
    expect(marks(stagesOf(runState('r', value, tags, ctx)))).toBe(want);
  });
});

describe('sub-agents and stuck steps', () => {
  it('shows running, stuck, finished and skipped sub-agents', () => {
    const s = runState(
      'r',
      { subDelegating: { 'architecture-validator': 'finished', 'database-architect': 'finished', 'code-reviewer': { running: {} }, 'security-auditor': 'stuck', 'test-generator': 'finished' } },
      ['working', 'waiting-on-person'],
      {
        blocked: 'exit 2',
        subagents: {
          'architecture-validator': { status: 'done', blocking: 1, counts: {}, summary: '1 layer violation' },
          'database-architect': { status: 'skipped', summary: 'the plan changes no schema' },
          'test-generator': { status: 'done', blocking: 0, counts: {}, summary: '9 tests written' },
        },
      },
      { steps: { 'code-reviewer': { src: 'code-reviewer', input: {}, attempt: 1, startedAt: 0 } } },
    );
    expect(subagentsOf(s).map((l) => `${l.agent}:${l.status}:${l.blocking}`)).toEqual([
      'architecture-validator:done:1',
      'database-architect:skipped:0',
      'code-reviewer:running:0',
      'security-auditor:stuck:0',
      'test-generator:done:0',
    ]);
  });

  it.each<[unknown, string[]]>([
    [{ planning: { drafting: 'stuck' } }, ['plan']],
    [{ planning: { validating: 'stuck' } }, ['architecture-validator']],
    [{ implementing: { working: 'stuck' } }, ['implement']],
    [{ fixing: { fixing: 'stuck' } }, ['fix']],
    [{ subDelegating: { 'code-reviewer': 'stuck', 'test-generator': 'running' } }, ['code-reviewer']],
    ['verifying', []],
  ])('finds the stuck step in %j', (value, steps) => {
    expect(stuckSteps(runState('r', value, []))).toEqual(steps);
  });
});
