import { fileURLToPath } from 'node:url';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { follow } from '../../src/cli/commands/follow.js';
import { Engine } from '../../src/engine/engine.js';
import { readLive } from '../../src/handlers/live.js';
import { LiveSteps } from '../../src/ui/components/LiveSteps.js';
import { HANDOFF_BODY, drop, settle, tempWorkspace, until } from '../engine/helpers.js';
import { makeTemp } from '../temp.js';

const FAKE_CLI = fileURLToPath(new URL('../../scripts/fake-cli.mjs', import.meta.url));

describe('a command step while it runs', () => {
  it('shows its try, its time against the timeout, its output as it comes and the try that failed (show --follow and the UI)', async () => {
    const project = await makeTemp('teamstate-live-');
    // Try 1 ends with an error result; try 2 (the same session) works for a while, then answers.
    const claude = { kind: 'command', preset: 'claude', argv: [process.execPath, FAKE_CLI, 'claude'], retries: 1, backoffMs: 0, timeoutMs: 600_000, env: { FAKE_CLI_FAIL_FIRST: 'implement', FAKE_CLI_SLOW_MS: '4000' } };
    const paths = await tempWorkspace('instant', (c) => {
      c.project = project;
      c.steps = { ...(c.steps as object), implement: claude };
    });
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    const out: string[] = [];
    const stop = new AbortController();
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await settle(engine);
      await drop(paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'APPROVED' });
      const following = follow(paths, engine.config, 't1', (t) => out.push(t), { everyMs: 100, signal: stop.signal });
      const dir = paths.step('t1', 'implement', 1);
      await until(engine, async () => (await readLive(dir)).tail.includes('Edit app/services/OrderService.py'), 'the second try to print its progress');
      const live = await readLive(dir);
      expect(live.running).toMatchObject({ try: 2, timeoutMs: 600_000 });
      expect(live.failed).toEqual([{ try: 1, reason: '`claude` reported an error: error_max_turns: Reached maximum number of turns (3)' }]);
      expect(live.tail).toEqual(['Edit app/services/OrderService.py']);

      const frame = render(createElement(LiveSteps, { live: { implement: live }, now: live.running!.startedAt + 75_000, retries: () => 1 })).lastFrame() ?? '';
      expect(frame).toContain('⚙ implement try 2/2 · 1m 15s of 10m 00s');
      expect(frame).toContain('try 1 failed: `claude` reported an error');

      await until(engine, () => out.join('').includes('│ Edit app/services/OrderService.py'), 'show --follow to print the output');
      const text = out.join('');
      expect(text).toContain('⚙ implement: try 1 failed: `claude` reported an error: error_max_turns');
      expect(text).toContain('⚙ implement: try 2/2 running');
      expect(text).toMatch(/⚙ implement: \d+s of 10m/);
      expect(text).toMatch(/→ PLAN HIGH conductor/);
      await settle(engine);
      expect(engine.run('t1')!.usage?.steps.implement).toMatchObject({ costUsd: 0.1, turns: 6 });
      stop.abort();
      await following;
    } finally {
      stop.abort();
      await engine.stop();
    }
  }, 120_000);
});
