import { afterEach, describe, expect, it } from 'vitest';
import { readRunStates } from '../../src/engine/read.js';
import type { Entry, Teammate } from './sim-team.js';
import { SimTeam, seed, structured, typeOf } from './sim-team.js';

let team: SimTeam | undefined;
afterEach(async () => {
  await team?.cleanup();
  team = undefined;
});

/** A small seeded generator (mulberry32), so a failing schedule can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ids = (entries: Entry[]) => entries.map((e) => /\[ID:\s*([^\]]+)\]/.exec(e.text)?.[1] ?? structured(e)?.type + ':' + JSON.stringify(structured(e)?.summary ?? structured(e)?.requestId));
const of = (type: string) => (e: Entry) => typeOf(e) === type || structured(e)?.type === type;

const seedValue = Number(process.env.TEAMS_CRASH_SEED ?? 20261201);

describe('teamstate-teammate killed with SIGKILL mid-lifecycle and spawned again with the same argv', () => {
  it(`should apply every inbound entry once and append every outbound entry once (seed ${seedValue})`, async () => {
    const random = rng(seedValue);
    team = await SimTeam.create({ members: ['backend-engineer', 'analyst', 'sentinel', 'breaker', 'librarian'], tasks: [{ id: '1', subject: 'Rate-limit login', description: 'per IP' }] });
    let current: Teammate = await team.spawn('backend-engineer', 'You are the backend engineer of this team.');
    await current.ready();
    let kills = 0;
    // After each entry the lead or a peer writes, a SIGKILL at a random instant of the next
    // 120 ms (while the teammate takes it in, journals it, writes its replies), then the
    // lead's re-spawn with the same argv.
    const kill = async () => {
      await new Promise((r) => setTimeout(r, random() * 120));
      await current.kill();
      kills += 1;
      current = team!.run('backend-engineer');
      await current.ready(120_000);
    };
    const send = async (from: string, text: string) => {
      await team!.write('backend-engineer', { from, text });
      await kill();
    };

    await send('team-lead', JSON.stringify({ type: 'task_assignment', taskId: '1', subject: 'Rate-limit login', description: 'per IP', assignedBy: 'team-lead', timestamp: team.stamp() }));
    await send('analyst', seed({ type: 'HANDOFF', priority: 'HIGH', to: 'backend-engineer', body: '## ANALYST REPORT — login\n### LANDMINES\n- [LANDMINE] app/api/login.py:9 — no limit' }));
    await team.waitFor('team-lead', (es) => es.some(of('PLAN')), 'the PLAN', 180_000);
    await send('team-lead', 'APPROVED');
    await team.waitFor('sentinel', (es) => es.some(of('HANDOFF')), 'the HANDOFF to sentinel', 180_000);
    await send('breaker', seed({ type: 'BUG', priority: 'HIGH', to: 'backend-engineer', body: '## BUG-1: the limit resets on a new session' }));
    await team.waitFor('sentinel', (es) => es.some(of('BUG_FIX')), 'the BUG_FIX', 180_000);
    await send('breaker', seed({ type: 'CLEAR', to: 'backend-engineer', body: 'done' }));
    await send('sentinel', seed({ type: 'PASS', priority: 'LOW', to: 'ALL', body: '## SENTINEL: ALL CLEAR' }));
    await team.waitFor('team-lead', (es) => es.some((e) => structured(e)?.completedStatus === 'resolved'), 'the completion', 180_000);
    await team.write('backend-engineer', { from: 'team-lead', text: JSON.stringify({ type: 'shutdown_request', requestId: 'shutdown-9@backend-engineer', from: 'team-lead', timestamp: team.stamp() }) });
    expect((await current.exited).code, current.out + current.err).toBe(0);

    expect(kills).toBe(6);
    for (const name of ['team-lead', 'sentinel', 'breaker', 'librarian']) {
      const list = ids(await team.read(name));
      expect(list.length, `${name}: ${list.join(' | ')}`).toBe(new Set(list).size);
    }
    const lead = await team.read('team-lead');
    expect(lead.filter(of('PLAN'))).toHaveLength(1);
    expect(lead.filter(of('shutdown_approved'))).toHaveLength(1);
    expect((await team.read('sentinel')).filter(of('BUG_FIX'))).toHaveLength(1);
    expect((await team.read('backend-engineer')).every((e) => e.read)).toBe(true);
    const [run] = await readRunStates(team.workspace);
    expect(run!.snapshot.value).toBe('done');
    // A BUG or an approval applied twice would show here.
    expect(run!.snapshot.context).toMatchObject({ fixCycles: 1, breakerBugs: 1, revision: 0 });
  }, 900_000);
});
