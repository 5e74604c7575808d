import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startResponder } from '../../bench/lib/processes.js';
import { stateLabel } from '../../src/engine/apply.js';
import { readJournal } from '../../src/engine/read.js';
import { Engine } from '../../src/engine/engine.js';
import { isAlive } from '../../src/handlers/process-tree.js';
import { HANDOFF_BODY, drop, settle, tempWorkspace } from './helpers.js';
import { makeTemp } from '../temp.js';

const FAKE_CLI = fileURLToPath(new URL('../../scripts/fake-cli.mjs', import.meta.url));

interface Call {
  step: string;
  argv: string[];
  stdin: string;
}
const calls = async (log: string): Promise<Call[]> => (existsSync(log) ? (await fs.readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Call) : []);

async function waitFor(what: string, cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('an engine killed mid-step', () => {
  it('should resume the same claude session after a SIGKILL, with a short prompt, instead of starting over', async () => {
    const project = await makeTemp('teamstate-resume-');
    const log = path.join(await makeTemp('teamstate-argv-'), 'argv.jsonl');
    // The first implement session hangs; the resumed one answers.
    const claude = { kind: 'command', preset: 'claude', argv: [process.execPath, FAKE_CLI, 'claude'], retries: 0, env: { FAKE_CLI_ARGV_LOG: log, FAKE_CLI_HANG: 'implement' } };
    const paths = await tempWorkspace('instant', (c) => {
      c.project = project;
      c.steps = { ...(c.steps as object), implement: claude };
    });
    const { child } = await startResponder('engine', paths.root);
    let pid: number | undefined;
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await waitFor('the plan to reach the conductor', async () => (await fs.readdir(paths.inbox('conductor').new)).length > 0);
      await drop(paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'APPROVED' });
      await waitFor('implement to start claude', async () => (await calls(log)).some((c) => c.step === 'implement'));
      const running = path.join(paths.step('t1', 'implement', 1), 'running.json');
      await waitFor('the step to note its process', async () => existsSync(running));
      pid = (JSON.parse(await fs.readFile(running, 'utf8')) as { pid: number }).pid;
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    const [first] = await calls(log);
    const minted = first!.argv[first!.argv.indexOf('--session-id') + 1]!;
    // Journaled before the spawn: the dead engine's journal already names the session.
    const before = (await readJournal(paths, 't1')).records.filter((r) => r.kind === 'step-session');
    expect(before).toMatchObject([{ id: 'implement', attempt: 1, session: { cli: 'claude', id: minted } }]);
    expect(isAlive(pid!)).toBe(true);

    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      await settle(engine);
      expect(stateLabel(engine.run('t1')!.snapshot.value)).toBe('verifying');
      const implement = (await calls(log)).filter((c) => c.step === 'implement');
      expect(implement).toHaveLength(2);
      expect(implement[1]!.argv).toContain('--resume');
      expect(implement[1]!.argv[implement[1]!.argv.indexOf('--resume') + 1]).toBe(minted);
      expect(implement[1]!.argv).not.toContain('--session-id');
      expect(implement[1]!.stdin).toMatch(/^You were interrupted \(the engine stopped or restarted\) while doing the implement step/);
      // The hung CLI of the killed engine was ended before the resume.
      expect(isAlive(pid!)).toBe(false);
      // The session is done with the step: nothing left to resume.
      expect(engine.run('t1')!.sessions ?? {}).toEqual({});
      expect(engine.run('t1')!.usage?.steps.implement).toMatchObject({ costUsd: 0.05 });
    } finally {
      await engine.stop();
    }
  }, 120_000);
});
