import { describe, expect, it } from 'vitest';
import type { Ev, Snap } from './helpers.js';
import * as h from './helpers.js';

/** Step work: the log, the plan check, the five sub-agents, stuck steps, handing off, finishing. */

const spawned = (actions: { type: string; params?: Record<string, unknown> }[]) =>
  actions.filter((a) => a.type === 'xstate.spawnChild').map((a) => ({ id: a.params?.id, src: a.params?.src, input: a.params?.input as Record<string, unknown> }));

const implementing = (opts?: Parameters<typeof h.toApproval>[1], input?: Parameters<typeof h.toApproval>[0]): Snap => h.run(h.toApproval(input, opts), h.decision(true)).snap;
const built = h.done('implement', h.ok('built', { files: ['app/services/UserService.py'] }));
const blockingFrom = (agent: string): Ev[] => h.subagentsDone((a) => (a === agent ? 1 : 0));

describe('sub-delegating', () => {
  it('starts the five sub-agents side by side once the implementation is done', () => {
    const { next, actions } = h.step(implementing(), built);
    expect(spawned(actions).map((s) => s.id).sort()).toEqual([...h.SUBAGENT_IDS].sort());
    expect(spawned(actions).every((s) => s.input.mode === 'code')).toBe(true);
    expect(next.hasTag('working')).toBe(true);
  });

  it('skips database-architect when the plan changes no schema, and records why', () => {
    const { next, actions } = h.step(implementing({ schemaChange: false }), built);
    expect(spawned(actions).map((s) => s.id)).not.toContain('database-architect');
    expect(next.value).toMatchObject({ subDelegating: { 'database-architect': 'finished' } });
    expect(next.context.subagents['database-architect']).toEqual({ status: 'skipped', summary: 'the plan changes no schema' });
    const rest = h.subagentsDone().filter((e) => e.type !== 'xstate.done.actor.database-architect');
    expect(h.run(next, ...rest).snap.value).toBe('verifying');
  });

  it('hands off only after every sub-agent has reported, in whatever order they finish', () => {
    let s = h.step(implementing(), built).next;
    for (const e of [...h.subagentsDone()].reverse()) {
      expect(s.value).toHaveProperty('subDelegating');
      s = h.step(s, e).next;
    }
    expect(s.value).toBe('verifying');
    expect(s.context.findingsHistory.map((f) => f.agent)).toEqual([...h.SUBAGENT_IDS].sort());
  });

  it('sends the run back to implementing with the blocking findings as text', () => {
    const { snap } = h.run(implementing(), built, ...blockingFrom('security-auditor'));
    expect(snap.value).toEqual({ implementing: { working: 'running' } });
    expect(snap.context.implementRound).toBe(1);
    expect(snap.context.findings).toBe('- security-auditor: 1 critical: SQL built by string concatenation');
    const again = h.step(h.run(implementing(), built, ...blockingFrom('security-auditor').slice(0, 4)).snap, blockingFrom('security-auditor')[4]!);
    expect(spawned(again.actions)).toEqual([expect.objectContaining({ id: 'implement', input: expect.objectContaining({ findings: snap.context.findings }) })]);
  });

  it('escalates to the conductor at CRITICAL when findings still block after implementRounds rounds', () => {
    const { snap, sent } = h.run(implementing(), built, ...blockingFrom('code-reviewer'), built, ...blockingFrom('code-reviewer'));
    expect(snap.value).toBe('escalated');
    expect(snap.context.escalation).toEqual({ kind: 'findings', reason: 'blocking sub-agent findings remain after 2 implement rounds' });
    expect(sent).toEqual([expect.objectContaining({ to: ['conductor'], type: 'REQUEST', priority: 'CRITICAL' })]);
    // The conductor accepts the findings: the run hands off as it is.
    const handed = h.run(snap, h.decision(true));
    expect(handed.snap.value).toBe('verifying');
    expect(handed.sent.map((m) => [m.to, m.type])).toEqual([
      [['sentinel'], 'HANDOFF'],
      [['breaker'], 'HANDOFF'],
      [['librarian'], 'STATUS'],
    ]);
  });

  it.each([1, 3])('allows implementRounds = %i rounds of blocking findings before escalating', (implementRounds) => {
    let s = h.step(implementing(undefined, h.runInput({ implementRounds })), built).next;
    for (let round = 1; round < implementRounds; round++) {
      s = h.run(s, ...blockingFrom('test-generator'), built).snap;
      expect(s.value).toHaveProperty('subDelegating');
    }
    expect(h.run(s, ...blockingFrom('test-generator')).snap.value).toBe('escalated');
  });
});

describe('adaptations from the agent log', () => {
  it("runs architecture-validator on the plan (step 'pre-validate') before implementing when the log asks for it", () => {
    const { next, actions } = h.step(h.toApproval(undefined, { adaptations: [h.LAYERS] }), h.decision(true));
    expect(next.value).toEqual({ implementing: { prevalidating: 'running' } });
    expect(spawned(actions)).toEqual([expect.objectContaining({ id: 'pre-validate', src: 'architecture-validator', input: expect.objectContaining({ mode: 'plan', adaptations: [h.LAYERS] }) })]);
    const after = h.step(next, h.done('pre-validate', h.ok('plan fits the layers')));
    expect(after.next.value).toEqual({ implementing: { working: 'running' } });
  });

  it('implements straight away without that adaptation', () => {
    expect(spawned(h.step(h.toApproval(), h.decision(true)).actions).map((s) => s.id)).toEqual(['implement']);
  });

  it('plans anyway when the log cannot be read, with a warning for the user', () => {
    const { snap } = h.run(h.start(), h.handoff(), h.error('read-log'));
    expect(snap.value).toEqual({ planning: { drafting: 'running' } });
    expect(snap.context.notices).toEqual([expect.objectContaining({ type: 'WARNING', from: 'teamstate', attention: true })]);
    expect(snap.context.notices[0]!.firstLine).toContain('agent log: Error: read-log crashed');
  });
});

describe('a step that needs a person', () => {
  it.each([
    ['fails', h.done('plan', h.failed), 'the command exited 1'],
    ['needs a person', h.done('plan', h.needsPerson), 'the answer had no plan sections'],
    ['crashes', h.error('plan'), 'plan crashed'],
  ])('waits on a person when the plan step %s, saying why', (_how, e, reason) => {
    const { snap } = h.run(h.start(), h.handoff(), h.logRead(), e);
    expect(snap.value).toEqual({ planning: { drafting: 'stuck' } });
    expect(snap.hasTag('waiting-on-person')).toBe(true);
    expect(snap.context.blocked).toContain(reason);
  });

  it('retries only the step a RETRY names, and clears the reason when it runs again', () => {
    const stuck = h.run(implementing(), h.done('implement', h.failed)).snap;
    expect(stuck.can(h.retry('fix') as never)).toBe(false);
    const { next, actions } = h.step(stuck, h.retry('implement'));
    expect(next.value).toEqual({ implementing: { working: 'running' } });
    expect(next.context.blocked).toBeUndefined();
    expect(spawned(actions).map((s) => s.id)).toEqual(['implement']);
  });

  it("moves on when a person completes the stuck step, and stays stuck on a person's failed completion", () => {
    const stuck = h.run(implementing(), h.done('implement', h.failed)).snap;
    expect(h.step(stuck, h.completed('implement', h.failed)).next.value).toEqual({ implementing: { working: 'stuck' } });
    expect(h.step(stuck, h.completed('implement', h.ok('done by hand', { files: ['x.py'] }))).next.value).toHaveProperty('subDelegating');
  });

  it('keeps the other sub-agents going while one waits on a person', () => {
    const s = h.run(implementing(), built, h.done('code-reviewer', h.failed)).snap;
    expect(s.value).toMatchObject({ subDelegating: { 'code-reviewer': 'stuck', 'security-auditor': 'running' } });
    const rest = h.subagentsDone().filter((e) => e.type !== 'xstate.done.actor.code-reviewer');
    const waiting = h.run(s, ...rest).snap;
    expect(waiting.value).toMatchObject({ subDelegating: { 'code-reviewer': 'stuck', 'test-generator': 'finished' } });
    expect(h.step(waiting, h.completed('code-reviewer', h.ok('reviewed by hand', { findings: h.findings(0) }))).next.value).toBe('verifying');
  });
});

describe('handing off and finishing', () => {
  it('hands off to sentinel and breaker with the files and the landmines to attack, and tells the librarian', () => {
    const { sent } = h.run(implementing(), built, ...h.subagentsDone());
    expect(sent[0]).toMatchObject({ to: ['sentinel'], type: 'HANDOFF', priority: 'MEDIUM' });
    expect(sent[0]!.body).toContain('- app/services/UserService.py');
    expect(sent[1]).toMatchObject({ to: ['breaker'], type: 'HANDOFF', priority: 'HIGH' });
    expect(sent[1]!.body).toContain('[LANDMINE] app/core/security.py:40 blocks');
    expect(sent[2]).toMatchObject({ to: ['librarian'], type: 'STATUS', priority: 'LOW' });
  });

  it('logs and completes on PASS: a STATUS with the measured figures, and the task marked completed', () => {
    const logging = h.run(h.toVerifying(), h.msg('PASS', 'sentinel')).snap;
    expect(logging.value).toBe('logging');
    const { next, sent, actions } = h.step(logging, h.done('write-log', { entry: '## t1' }));
    expect(next.value).toBe('done');
    expect(next.status).toBe('done');
    expect(sent).toEqual([expect.objectContaining({ to: ['conductor', 'librarian'], type: 'STATUS' })]);
    expect(sent[0]!.body).toContain('- Plan approved first try: yes');
    expect(sent[0]!.body).toContain('- Sentinel passed first try: yes');
    expect(actions.map((a) => a.params?.event)).toContainEqual({ type: 'task', status: 'completed' });
  });

  it('finishes even when the log entry cannot be written, and says so', () => {
    const { snap } = h.run(h.toVerifying(), h.msg('PASS', 'sentinel'), h.error('write-log'));
    expect(snap.value).toBe('done');
    expect(snap.context.notices.at(-1)?.firstLine).toContain('agent log:');
  });
});
