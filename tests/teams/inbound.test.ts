import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../../src/teams/inbound.js';
import { Roster } from '../../src/teams/roster.js';
import { parseConfigText } from '../../src/workspace/config.js';
import { configTemplate } from '../../src/workspace/config-template.js';

let dir: string;
const config = parseConfigText(configTemplate('instant'), 'teamstate.json');
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'teamstate-roster-'));
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ leadAgentId: 'team-lead@s-1', members: [{ name: 'team-lead' }, { name: 'backend-engineer', backendType: 'tmux' }, { name: 'analyst' }, { name: 'qa' }] }));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

const entry = (from: string, text: string) => ({ from, text, timestamp: '2026-12-01T09:00:00.000Z' });

describe('an entry of the teammate inbox, read for the engine', () => {
  it("should take the lead as the conductor, a mapped member as its role, and the team's config as the roster", async () => {
    const roster = new Roster(path.join(dir, 'config.json'), { ...config, agentTeam: { roles: { sentinel: 'qa' } } });
    expect(await roster.refresh()).toBe(true);
    expect(await roster.refresh()).toBe(false);
    expect(roster.roleOf('team-lead')).toBe('conductor');
    expect(roster.roleOf('qa')).toBe('sentinel');
    expect(roster.roleOf('analyst')).toBe('analyst');
    expect(roster.roleOf('Researcher')).toBe('researcher');
    expect(roster.memberFor('conductor')).toBe('team-lead');
    expect(roster.onTeam('sentinel')).toBeUndefined();
    expect(roster.onTeam(roster.memberFor('sentinel'))).toBe('qa');
    expect(roster.entry('backend-engineer')?.backendType).toBe('tmux');
  });

  it("should read the lead's first plain text as the spawn prompt, a plain verdict as a decision, and refuse other prose with what to do", async () => {
    const roster = new Roster(path.join(dir, 'config.json'), config);
    await roster.refresh();
    const ctx = { config, roster, leadBefore: false };
    expect(decide(entry('team-lead', 'You are the backend engineer.'), 'k', ctx)).toEqual({ kind: 'spawn-prompt', text: 'You are the backend engineer.' });
    expect(decide(entry('team-lead', '**REJECTED**: add rate limits'), 'k', { ...ctx, leadBefore: true })).toMatchObject({ kind: 'message', from: 'conductor', key: 'cc:k', message: { type: 'STATUS', to: ['backend-engineer'] } });
    expect(decide(entry('team-lead', 'Looks good to me'), 'k', { ...ctx, leadBefore: true })).toMatchObject({ kind: 'reject', reason: expect.stringMatching(/team's format .*APPROVED or REJECTED/) });
    expect(decide(entry('analyst', 'hello'), 'k', ctx)).toMatchObject({ kind: 'reject', reason: expect.not.stringMatching(/APPROVED/) });
  });

  it('should read the text as a team message from the entry sender, and refuse one addressed to someone else', async () => {
    const roster = new Roster(path.join(dir, 'config.json'), config);
    await roster.refresh();
    const ctx = { config, roster, leadBefore: true };
    const text = '[PRIORITY: HIGH]\n[TYPE: HANDOFF]\n[TO: builder]\n[FROM: sentinel]\n[ID: h-1]\n\n## report';
    expect(decide(entry('analyst', text), 'k', ctx)).toMatchObject({ kind: 'message', from: 'analyst', key: 'id:h-1', message: { from: 'analyst', type: 'HANDOFF', id: 'h-1' } });
    expect(decide(entry('analyst', text.replace('builder', 'breaker')), 'k', ctx)).toMatchObject({ kind: 'reject', reason: expect.stringMatching(/addressed to breaker, not backend-engineer/) });
    expect(decide(entry('analyst', '{"type":"shutdown_request","requestId":"r"}'), 'k', ctx)).toMatchObject({ kind: 'reject', reason: expect.stringMatching(/only the lead/) });
    expect(decide(entry('team-lead', '{"type":"permission_response","request_id":"x","subtype":"success"}'), 'k', ctx)).toMatchObject({ kind: 'reject', reason: expect.stringMatching(/permission_response has no meaning/) });
  });
});
