import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readRunStates } from '../../src/engine/read.js';
import type { Entry } from './sim-team.js';
import { SimTeam, seed, structured, typeOf } from './sim-team.js';

const HANDOFF = `## ANALYST REPORT — email verification
### FILES IN SCOPE (ordered by edit sequence)
1. app/models/User.py — the User model
### LANDMINES
- [LANDMINE] app/core/security.py:40 — hashing is sync`;

let team: SimTeam | undefined;
afterEach(async () => {
  await team?.cleanup();
  team = undefined;
});

const of = (type: string) => (e: Entry) => typeOf(e) === type || structured(e)?.type === type;
const idles = (entries: Entry[]) => entries.filter((e) => structured(e)?.type === 'idle_notification').map((e) => structured(e)!);

describe('teamstate as a teammate of a Claude Code agent team', () => {
  it('should take a task from the lead through plan, approval in plain text, verification and completion, then approve the shutdown and exit 0', async () => {
    team = await SimTeam.create({ members: ['backend-engineer', 'analyst', 'sentinel', 'breaker'], tasks: [{ id: '1', subject: 'Add email verification', description: 'verify emails at signup' }] });
    await team.write('backend-engineer', { from: 'team-lead', text: 'placeholder' }); // cleared by the spawn
    const t = await team.spawn('backend-engineer', 'You are the backend engineer. Wait for the analyst, then follow your protocol.');
    await t.ready();
    await team.write('backend-engineer', { from: 'team-lead', text: JSON.stringify({ type: 'task_assignment', taskId: '1', subject: 'Add email verification', description: 'verify emails at signup', assignedBy: 'team-lead', timestamp: team.stamp() }) });
    await team.write('backend-engineer', { from: 'analyst', text: seed({ type: 'HANDOFF', priority: 'HIGH', to: 'builder', body: HANDOFF, action: 'Use this map' }), summary: 'handoff' });

    const lead1 = await team.waitFor('team-lead', (es) => es.some(of('PLAN')) && idles(es).length >= 1, 'the PLAN and an idle notification');
    const plan = lead1.find(of('PLAN'))!;
    expect(plan).toMatchObject({ from: 'backend-engineer', read: false, color: 'blue' });
    expect(plan.summary).toMatch(/^PLAN/);
    expect(plan.text).toMatch(/\[TASK: 1\]/);
    expect(plan.text).toMatch(/\[ID: 1\.1\]/);
    expect(idles(lead1)[0]).toMatchObject({ type: 'idle_notification', from: 'backend-engineer', idleReason: 'available' });
    expect(JSON.parse(await fs.readFile(path.join(team.tasksDir, '1.json'), 'utf8'))).toMatchObject({ status: 'in_progress', owner: 'backend-engineer' });

    await team.write('backend-engineer', { from: 'team-lead', text: 'APPROVED — go ahead', summary: 'approved' });
    const sentinel = await team.waitFor('sentinel', (es) => es.some(of('HANDOFF')), 'the HANDOFF to sentinel');
    await team.waitFor('breaker', (es) => es.some(of('HANDOFF')), 'the HANDOFF to breaker');
    expect(sentinel[0]!.text).toMatch(/\[FROM: backend-engineer\]/);

    await team.write('backend-engineer', { from: 'breaker', text: seed({ type: 'BUG', priority: 'HIGH', to: 'backend-engineer', task: '1', body: '## BUG-1: a NUL byte in the email is accepted' }) });
    await team.waitFor('sentinel', (es) => es.some(of('BUG_FIX')), 'the BUG_FIX to sentinel');
    await team.write('backend-engineer', { from: 'breaker', text: seed({ type: 'CLEAR', to: 'backend-engineer', task: '1', body: 'nothing more' }) });
    await team.write('backend-engineer', { from: 'sentinel', text: seed({ type: 'PASS', priority: 'LOW', to: 'ALL', task: '1', body: '## SENTINEL: ALL CLEAR' }) });

    const lead2 = await team.waitFor('team-lead', (es) => idles(es).some((i) => i.completedStatus === 'resolved'), 'the completion idle notification');
    expect(lead2.filter((e) => /Task complete/.test(e.text))).toHaveLength(1);
    expect(idles(lead2).find((i) => i.completedStatus === 'resolved')).toMatchObject({ completedTaskId: '1' });
    expect(JSON.parse(await fs.readFile(path.join(team.tasksDir, '1.json'), 'utf8'))).toMatchObject({ status: 'completed', owner: 'backend-engineer', subject: 'Add email verification' });

    await team.write('backend-engineer', { from: 'team-lead', text: JSON.stringify({ type: 'shutdown_request', requestId: 'shutdown-1@backend-engineer', from: 'team-lead', reason: 'done', timestamp: team.stamp() }) });
    const exit = await t.exited;
    expect(exit, t.out + t.err).toEqual({ code: 0, signal: null });
    const lead3 = await team.read('team-lead');
    expect(lead3.filter(of('shutdown_approved')).map((e) => structured(e))).toEqual([expect.objectContaining({ requestId: 'shutdown-1@backend-engineer', from: 'backend-engineer', paneId: '%2', backendType: 'tmux' })]);

    // Every entry was taken, and marked read only once taken.
    expect((await team.read('backend-engineer')).every((e) => e.read)).toBe(true);
    // No entry written twice.
    const texts = lead3.map((e) => e.text);
    expect(new Set(texts).size).toBe(texts.length);
    // The librarian is not on this team: its STATUS is held, not a new inbox file.
    await expect(fs.access(team.inbox('librarian'))).rejects.toThrow();
    const held = await fs.readdir(path.join(team.workspaceDir, 'teams', team.team, 'backend-engineer', 'held'));
    expect(held.length).toBeGreaterThan(0);
    // The spawn prompt is kept.
    expect(await fs.readFile(path.join(team.workspaceDir, 'teams', team.team, 'backend-engineer', 'spawn-prompt.md'), 'utf8')).toMatch(/You are the backend engineer/);
    const [run] = await readRunStates(team.workspace);
    expect(run).toMatchObject({ runId: '1' });
    expect(run!.snapshot.value).toBe('done');
    expect(run!.snapshot.context).toMatchObject({ fixCycles: 1, breakerBugs: 1, planApprovedFirstTry: true });
  });

  it('should send the plan as a plan_approval_request with --plan-mode-required and follow the plan_approval_response', async () => {
    team = await SimTeam.create({ members: ['backend-engineer', 'analyst', 'sentinel', 'breaker', 'librarian'] });
    const t = await team.spawn('backend-engineer', 'Plans need my approval.', { planMode: true });
    await t.ready();
    await team.write('backend-engineer', { from: 'analyst', text: seed({ type: 'HANDOFF', to: 'backend-engineer', task: 'T-7', body: HANDOFF }) });

    const first = await team.waitFor('team-lead', (es) => es.some(of('plan_approval_request')), 'a plan_approval_request');
    const req = structured(first.find(of('plan_approval_request'))!)!;
    expect(req).toMatchObject({ type: 'plan_approval_request', from: 'backend-engineer', requestId: 'T-7.1' });
    expect(typeof req.planContent).toBe('string');
    expect(await fs.readFile(String(req.planFilePath), 'utf8')).toBe(req.planContent);
    expect(String(req.planFilePath).startsWith(team.workspaceDir)).toBe(true);
    expect(first.some(of('PLAN'))).toBe(false);

    // Someone else's plan_approval_response is not honoured; the lead's rejection is.
    await team.write('backend-engineer', { from: 'analyst', text: JSON.stringify({ type: 'plan_approval_response', requestId: 'T-7.1', approved: true, timestamp: team.stamp() }) });
    await team.write('backend-engineer', { from: 'team-lead', text: JSON.stringify({ type: 'plan_approval_response', requestId: 'T-7.1', approved: false, feedback: 'say how tokens expire', timestamp: team.stamp() }) });
    const second = await team.waitFor('team-lead', (es) => es.filter(of('plan_approval_request')).length === 2, 'the revised plan');
    const req2 = structured(second.filter(of('plan_approval_request'))[1]!)!;
    await team.write('backend-engineer', { from: 'team-lead', text: JSON.stringify({ type: 'plan_approval_response', requestId: req2.requestId, approved: true, timestamp: team.stamp() }) });
    await team.waitFor('sentinel', (es) => es.some(of('HANDOFF')), 'the HANDOFF to sentinel');
    await team.waitFor('librarian', (es) => es.some(of('STATUS')), 'the STATUS to librarian');

    const rejected = await fs.readdir(team.workspace.inbox('backend-engineer').rejected);
    const reasons = await Promise.all(rejected.filter((n) => n.endsWith('.reason.txt')).map((n) => fs.readFile(path.join(team!.workspace.inbox('backend-engineer').rejected, n), 'utf8')));
    expect(reasons.join('\n')).toMatch(/plan_approval_response from analyst: Claude Code honours it only from the lead/);
    t.child.kill('SIGTERM');
    expect((await t.exited).code).toBe(0);
    const [run] = await readRunStates(team.workspace);
    expect(run!.snapshot.context).toMatchObject({ revision: 1, rejections: ['say how tokens expire'] });
  });
});
