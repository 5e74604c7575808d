import { makeTemp } from '../temp.js';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../machines/backend-engineer/context.js';
import { Engine } from '../../src/engine/engine.js';
import { DEMO_TASK, prepareDemoWorkspace } from '../../src/sim/demo-workspace.js';
import { ScriptedTeam } from '../../src/sim/scripted-team.js';
import { readTask } from '../../src/workspace/tasks.js';

async function until(cond: () => Promise<boolean>, what: string, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the scripted team against the real engine and the fake LLM CLI', () => {
  it('should take the demo task through plan, rejection, approval, sub-agents, BUG, FAIL and PASS to a log entry that matches', async () => {
    const dir = await makeTemp('teamstate-demo-');
    const paths = await prepareDemoWorkspace(dir, { conductor: 'scripted' });
    const engine = await Engine.start({ workspaceDir: paths.root, settleMs: 0 });
    const team = new ScriptedTeam({ paths, tasks: [DEMO_TASK.id], conductor: 'scripted' });
    try {
      await until(async () => {
        const done = await team.tick();
        await engine.scan();
        return done;
      }, 'the task to complete');
      const state = engine.run(DEMO_TASK.id)!;
      expect(state.snapshot.value).toBe('done');
      const c = state.snapshot.context as unknown as RunContext;
      expect(c.revision).toBe(1);
      expect(c.rejections[0]).toMatch(/request log/);
      expect(c.fixCycles).toBe(2);
      expect(Object.keys(c.subagents).sort()).toEqual(['architecture-validator', 'code-reviewer', 'database-architect', 'security-auditor', 'test-generator']);
      expect((await readTask(paths, DEMO_TASK.id))?.status).toBe('completed');
      const log = await fs.readFile(path.join(paths.root, 'project/.claude/memory/agent-logs/backend-engineer.md'), 'utf8');
      expect(log).toContain(`(task ${DEMO_TASK.id})`);
      expect(log).toMatch(/Fix cycles: 2/);
      expect(log).toMatch(/Plan approved first try: no/);
      expect(log).toMatch(/Breaker bugs: 1/);
      expect(log).toMatch(/Sentinel passed first try: no/);
      expect(log).toMatch(/First-pass success: no/);
    } finally {
      await engine.stop();
    }
  });
});
