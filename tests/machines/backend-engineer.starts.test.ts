import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { HANDOFF_BODY, drop, settle, tempWorkspace } from '../engine/helpers.js';

const ENGINEER = 'backend-engineer';

describe('the backend-engineer machine, run by the engine on a real workspace', () => {
  it.each([
    ['the conductor', 'conductor', /^unrouted: a HANDOFF starts a run only from analyst, not from conductor\n/],
    ["the engine's own member", ENGINEER, /^unrouted: a HANDOFF starts a run only from analyst, not from backend-engineer\n/],
  ])('refuses a HANDOFF from %s: no run, the message kept in rejected/ with the reason, and the analyst’s HANDOFF still starts one', async (_who, from, reason) => {
    const paths = await tempWorkspace('instant');
    const said: string[] = [];
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, log: (l) => said.push(l) });
    try {
      const name = await drop(paths, ENGINEER, { from, type: 'HANDOFF', priority: 'MEDIUM', task: 'h1', body: HANDOFF_BODY });
      await settle(engine);
      await engine.scan();
      expect(engine.runs()).toEqual([]);
      expect(await fs.readdir(paths.runsDir).then((n) => n.filter((x) => !x.startsWith('.')))).toEqual([]);
      const rejected = paths.inbox(ENGINEER).rejected;
      expect(await fs.readdir(rejected)).toEqual(expect.arrayContaining([name, `${name}.reason.txt`]));
      const why = await fs.readFile(path.join(rejected, `${name}.reason.txt`), 'utf8');
      expect(why).toMatch(reason);
      // The message is kept as it came, and said.
      expect(await fs.readFile(path.join(rejected, name), 'utf8')).toContain(`[FROM: ${from}]`);
      expect(said.join('\n')).toContain(why.split('\n')[0]!.replace(/^unrouted: /, ''));
      expect((await fs.readdir(paths.inbox(ENGINEER).new)).filter((n) => !n.startsWith('.'))).toEqual([]);

      // Refused for who sent it, not for the task: the analyst's HANDOFF for it starts the run.
      await drop(paths, ENGINEER, { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 'h1', body: HANDOFF_BODY });
      await settle(engine);
      expect(engine.run('h1')?.snapshot.value).toEqual({ awaitingApproval: 'waiting' });
    } finally {
      await engine.stop();
    }
  });
});
