import { execFileSync, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimTeam, TEAMMATE, structured } from './sim-team.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) console.log('skipping the pane test: tmux is not installed (apt-get install tmux runs it)');
const session = `teamstate-pane-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

let team: SimTeam | undefined;
afterEach(async () => {
  if (hasTmux) spawnSync('tmux', ['kill-session', '-t', session]);
  await team?.cleanup();
  team = undefined;
});

async function until<T>(get: () => T | Promise<T>, ok: (v: T) => boolean, what: string, tries = 600): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < tries; i++) {
    last = await get();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`never saw ${what}; last: ${String(last)}`);
}

describe('teamstate-teammate in a tmux pane, as a lead in pane mode runs it', () => {
  it.skipIf(!hasTmux)("should show that it is a teammate of the team and the lead's spawn prompt, then answer the shutdown with the pane's id and leave the pane with exit 0", { timeout: 300_000 }, async () => {
    team = await SimTeam.create({ members: ['backend-engineer', 'analyst'] });
    await team.locked(team.inbox('backend-engineer'), () => []);
    await team.write('backend-engineer', { from: 'team-lead', text: 'You are the backend engineer; wait for the analyst.' });
    // The lead types `cd <cwd> && env CLAUDECODE=1 CLAUDE_CODE_EXPERIMENTAL_AGENT_TEAMS=1 … <command> <argv>` into the pane.
    // The command's exit status is written to a file as it ends: tmux's #{pane_dead_status} can lag far behind on a busy machine.
    const statusFile = path.join(team.root, 'pane-exit-status');
    const cmd = `cd ${q(team.project)} && env -u CI CLAUDECODE=1 CLAUDE_CODE_EXPERIMENTAL_AGENT_TEAMS=1 CLAUDE_CONFIG_DIR=${q(team.home)} ${q(process.execPath)} ${q(TEAMMATE)} ${team.argv('backend-engineer').map(q).join(' ')}; echo $? > ${q(statusFile)}`;
    tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '40', 'sh', '-c', cmd);
    tmux('set-option', '-t', session, 'remain-on-exit', 'on');
    const pane = tmux('display-message', '-p', '-t', session, '#{pane_id}').trim();
    const screen = await until(() => tmux('capture-pane', '-p', '-t', session), (s) => /spawn prompt: You are the backend engineer/.test(s), 'the banner');
    expect(screen).toMatch(new RegExp(`teammate backend-engineer of team ${team.team} · lead team-lead`));

    await team.write('backend-engineer', { from: 'team-lead', text: JSON.stringify({ type: 'shutdown_request', requestId: `shutdown-1@backend-engineer`, from: 'team-lead', timestamp: team.stamp() }) });
    const lead = await until(() => team!.read('team-lead'), (es) => es.some((e) => structured(e)?.type === 'shutdown_approved'), 'shutdown_approved');
    expect(structured(lead.find((e) => structured(e)?.type === 'shutdown_approved')!)).toMatchObject({ requestId: 'shutdown-1@backend-engineer', paneId: pane, backendType: 'tmux' });
    const status = await until(() => readFile(statusFile, 'utf8').catch(() => ''), (s) => s.endsWith('\n'), "the pane's command to exit");
    expect(status).toBe('0\n');
    await until(() => tmux('display-message', '-p', '-t', session, '#{pane_dead}').trim(), (s) => s === '1', 'the pane to end');
  });
});
