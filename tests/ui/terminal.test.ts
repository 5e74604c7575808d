import { makeTemp } from '../temp.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/bundle/main.js');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) console.log('skipping the real-terminal UI test: tmux is not installed (apt-get install tmux runs it)');

const session = `teamstate-ui-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session);
const keys = (...k: string[]) => tmux('send-keys', '-t', session, ...k);
const typed = (text: string) => tmux('send-keys', '-t', session, '-l', text);

/** Polls the screen until `want` shows (generous: this machine is slow and busy); fails with the screen otherwise. */
async function until(want: RegExp, what: string, tries = 600): Promise<string> {
  let last = '';
  for (let i = 0; i < tries; i++) {
    last = screen();
    if (want.test(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the terminal never showed ${what} (${want}); the screen:\n${last}`);
}

afterAll(() => {
  if (hasTmux) for (const s of [session, `${session}-start`]) spawnSync('tmux', ['kill-session', '-t', s]);
});

/**
 * Ink draws only the last frame when it sees CI=true (as CI runs have): a person's terminal
 * has no such variable, so the command in the pane runs without it.
 */
const AS_A_PERSON = 'env -u CI -u CONTINUOUS_INTEGRATION';

describe('the UI in a real terminal', () => {
  it.skipIf(!hasTmux)('plays the demo with a person as the conductor: reject with feedback, approve, open a message', { timeout: 400_000 }, async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
    const dir = await makeTemp('teamstate-tmux-');
    const cmd = `${AS_A_PERSON} ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} demo --conductor person --workspace ${JSON.stringify(dir)} --pace 300`;
    tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '48', cmd);
    // Keep the pane after the command exits, to read what it printed last.
    tmux('set-option', '-t', session, 'remain-on-exit', 'on');

    await until(/signup-email.+awaitingApproval\.waiting/, 'the plan awaiting approval in the runs view');
    keys('Enter');
    await until(/you play the conductor: a approve, r reject/, 'the run view');
    keys('r');
    await until(/Reject the plan of signup-email/, 'the rejection prompt');
    typed('keep passwords out of the request log');
    keys('Enter');
    await until(/plan revision 1[\s\S]*☺ person\s+decide\s+rejected keep passwords out of the request log/, 'the rejection in the timeline and the revised plan');
    await until(/awaitingApproval\.waiting · since .* plan revision 1[\s\S]*→ conductor\s+PLAN[\s\S]*→ conductor\s+PLAN/, 'the revised plan sent');
    keys('a');
    await until(/✓ approval {2}✓ implement {2}✓ sub-agents/, 'the approved plan going on to the sub-agents');
    const done = await until(/✓ log entry {2}✓ done/, 'the task done after a BUG, a FAIL and a PASS');
    expect(done).toMatch(/← breaker\s+BUG/);
    expect(done).toMatch(/fix cycles 2\/\d+/);

    // Open the first message of the timeline: the analyst's HANDOFF, whole.
    keys('Home');
    keys('Enter');
    const message = await until(/HANDOFF from analyst at/, 'the whole HANDOFF message');
    expect(message).toContain('[TYPE: HANDOFF]');
    expect(message).toContain('### LANDMINES');
    keys('Escape');
    await until(/Timeline \(\d+ events/, 'the run view again');

    keys('3');
    const log = await until(/Trends over 1 task/, 'the log view with the new entry');
    expect(log).toMatch(/Add email verification to signup/);
    keys('q');
    const end = await until(/The demo workspace stays in/, 'the demo exiting after q');
    expect(end).not.toMatch(/internal error|Error:/);
  });

  it.skipIf(!hasTmux)('creates the workspace on first use and opens the empty runs view', { timeout: 200_000 }, async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
    const dir = path.join(await makeTemp('teamstate-tmux-start-'), 'workspace');
    const name = `${session}-start`;
    tmux('new-session', '-d', '-s', name, '-x', '140', '-y', '30', `${AS_A_PERSON} ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} start --workspace ${JSON.stringify(dir)}`);
    const grab = () => tmux('capture-pane', '-p', '-t', name);
    let last = '';
    for (let i = 0; i < 600 && !/No runs yet/.test(last); i++) {
      await new Promise((r) => setTimeout(r, 200));
      last = grab();
    }
    expect(last).toContain('No runs yet');
    expect(last).toMatch(/teamstate · backend-engineer/);
    expect(existsSync(path.join(dir, 'teamstate.json'))).toBe(true);
    tmux('send-keys', '-t', name, '?');
    for (let i = 0; i < 300 && !/teamstate — keys/.test(last); i++) {
      await new Promise((r) => setTimeout(r, 200));
      last = grab();
    }
    expect(last).toContain('teamstate — keys');
    tmux('send-keys', '-t', name, 'Escape');
    tmux('send-keys', '-t', name, 'q');
  });
});
