import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readRunStates } from '../../src/engine/read.js';
import type { Entry } from './sim-team.js';
import { SimTeam, seed, structured, typeOf } from './sim-team.js';

let team: SimTeam | undefined;
afterEach(async () => {
  await team?.cleanup();
  team = undefined;
});

const of = (type: string) => (e: Entry) => typeOf(e) === type || structured(e)?.type === type;

describe("teamstate-teammate and the team's inbox files", () => {
  it("should lose no entry of the lead's inbox while three writers and the lead's read marking hammer it as teamstate writes to it", async () => {
    team = await SimTeam.create({ members: ['backend-engineer', 'analyst', 'sentinel', 'breaker', 'librarian', 'w1', 'w2', 'w3'] });
    const t = await team.spawn('backend-engineer', 'Three tasks are coming.');
    await t.ready();
    let stop = false;
    const PER_WRITER = 40;
    const writers = ['w1', 'w2', 'w3'].map(async (w) => {
      for (let i = 0; i < PER_WRITER; i++) await team!.write('team-lead', { from: w, text: `${w} message ${i}`, summary: `${w} ${i}` });
    });
    // The lead marks everything read now and then, as its poller does: another locked rewrite.
    const lead = (async () => {
      while (!stop) {
        await team!.locked(team!.inbox('team-lead'), (es) => es.map((e) => ({ ...e, read: true })));
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    for (const task of ['A', 'B', 'C']) await team.write('backend-engineer', { from: 'analyst', text: seed({ type: 'HANDOFF', to: 'backend-engineer', task, body: `## ANALYST REPORT — ${task}` }) });
    await team.waitFor('team-lead', (es) => es.filter(of('PLAN')).length === 3, 'three PLANs');
    for (const task of ['A', 'B', 'C']) await team.write('backend-engineer', { from: 'team-lead', text: seed({ type: 'STATUS', to: 'backend-engineer', task, body: 'APPROVED' }) });
    await team.waitFor('sentinel', (es) => es.filter(of('HANDOFF')).length === 3, 'three handoffs');
    for (const task of ['A', 'B', 'C']) await team.write('backend-engineer', { from: 'sentinel', text: seed({ type: 'PASS', to: 'backend-engineer', task, body: 'ALL CLEAR' }) });
    await Promise.all(writers);
    await team.waitFor('team-lead', (es) => es.filter((e) => structured(e)?.completedStatus === 'resolved').length === 3, 'three completions');
    stop = true;
    await lead;

    const entries = await team.read('team-lead');
    for (const w of ['w1', 'w2', 'w3']) {
      expect(entries.filter((e) => e.from === w).map((e) => e.text)).toEqual(Array.from({ length: PER_WRITER }, (_, i) => `${w} message ${i}`));
    }
    const ours = entries.filter((e) => e.from === 'backend-engineer');
    expect(ours.filter(of('PLAN'))).toHaveLength(3);
    expect(ours.filter((e) => /Task complete/.test(e.text))).toHaveLength(3);
    expect(new Set(ours.map((e) => e.text)).size).toBe(ours.length);
    t.child.kill('SIGTERM');
    expect((await t.exited).code).toBe(0);
  });

  it('should take an entry Claude Code delivers several times once, also when it comes back unread after it was taken', async () => {
    team = await SimTeam.create({ members: ['backend-engineer', 'analyst', 'sentinel', 'breaker', 'librarian'] });
    const t = await team.spawn('backend-engineer', 'Go.');
    await t.ready();
    await team.write('backend-engineer', { from: 'analyst', text: seed({ type: 'HANDOFF', to: 'backend-engineer', task: 'R', body: '## ANALYST REPORT — R' }) });
    await team.waitFor('team-lead', (es) => es.some(of('PLAN')), 'the PLAN');
    await team.write('backend-engineer', { from: 'team-lead', text: 'APPROVED' });
    await team.waitFor('sentinel', (es) => es.some(of('HANDOFF')), 'the HANDOFF');
    // One BUG, delivered three times with the same timestamp (anthropics/claude-code#92244).
    const bug = { from: 'breaker', text: seed({ type: 'BUG', to: 'backend-engineer', task: 'R', body: '## BUG-1: empty name accepted' }), timestamp: team.stamp() };
    await Promise.all([team.write('backend-engineer', bug), team.write('backend-engineer', bug), team.write('backend-engineer', bug)]);
    await team.waitFor('sentinel', (es) => es.some(of('BUG_FIX')), 'the BUG_FIX');
    await team.waitFor('backend-engineer', (es) => es.every((e) => e.read), 'every copy marked read');
    // ...and once more, unread, after it was taken.
    await team.write('backend-engineer', bug);
    await team.waitFor('backend-engineer', (es) => es.every((e) => e.read), 'the late copy marked read');
    await team.write('backend-engineer', { from: 'sentinel', text: seed({ type: 'PASS', to: 'backend-engineer', task: 'R', body: 'ALL CLEAR' }) });
    await team.waitFor('team-lead', (es) => es.some((e) => structured(e)?.completedStatus === 'resolved'), 'the completion');
    t.child.kill('SIGTERM');
    expect((await t.exited).code).toBe(0);
    expect((await team.read('sentinel')).filter(of('BUG_FIX'))).toHaveLength(1);
    const [run] = await readRunStates(team.workspace);
    expect(run!.snapshot.context).toMatchObject({ fixCycles: 1, breakerBugs: 1 });
  });

  it('should hold a reply for a recipient not on the team, write no inbox file for it, and send it once the team lists it', async () => {
    team = await SimTeam.create({ members: ['backend-engineer', 'analyst', 'sentinel', 'breaker'] });
    const t = await team.spawn('backend-engineer', 'Go.');
    await t.ready();
    await team.write('backend-engineer', { from: 'analyst', text: seed({ type: 'HANDOFF', to: 'backend-engineer', task: 'H', body: '## ANALYST REPORT — H' }) });
    await team.waitFor('team-lead', (es) => es.some(of('PLAN')), 'the PLAN');
    await team.write('backend-engineer', { from: 'team-lead', text: 'APPROVED' });
    await team.waitFor('breaker', (es) => es.some(of('HANDOFF')), 'the HANDOFF to breaker');
    const heldDir = path.join(team.workspaceDir, 'teams', team.team, 'backend-engineer', 'held');
    const deadline = Date.now() + 60_000;
    while ((await fs.readdir(heldDir).catch(() => [])).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const [held] = await fs.readdir(heldDir);
    expect(JSON.parse(await fs.readFile(path.join(heldDir, held!), 'utf8'))).toMatchObject({ member: 'librarian', reason: expect.stringMatching(/librarian is not on team session-\w+ \(members: team-lead, backend-engineer, analyst, sentinel, breaker\)/) });
    await expect(fs.access(team.inbox('librarian'))).rejects.toThrow();
    expect(t.out).toMatch(/held STATUS .* for librarian/);

    await team.writeConfig(['backend-engineer', 'analyst', 'sentinel', 'breaker', 'librarian']);
    const lib = await team.waitFor('librarian', (es) => es.some(of('STATUS')), 'the held STATUS');
    expect(lib).toHaveLength(1);
    // Released once sent.
    while ((await fs.readdir(heldDir)).length > 0 && Date.now() < deadline + 60_000) await new Promise((r) => setTimeout(r, 20));
    await expect(fs.readdir(heldDir)).resolves.toEqual([]);
    t.child.kill('SIGTERM');
    expect((await t.exited).code).toBe(0);
  });
});
