import { makeTemp } from '../temp.js';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../machines/backend-engineer/context.js';
import { stateLabel } from '../../src/engine/apply.js';
import { Engine } from '../../src/engine/engine.js';
import { summarize } from '../../src/engine/view.js';
import { fakeLlmPath } from '../../src/package-root.js';
import { prepareDemoWorkspace } from '../../src/sim/demo-workspace.js';
import { ScriptedTeam } from '../../src/sim/scripted-team.js';
import { HANDOFF_BODY, drop, tempWorkspace, until } from './helpers.js';


describe('learning from the agent log', () => {
  it("should give a second task in the same project an adaptation drawn from the first task's entry, in its prompts", async () => {
    const dir = await makeTemp('teamstate-adapt-');
    const paths = await prepareDemoWorkspace(dir, { conductor: 'scripted', tasks: ['first', 'second'] });
    const config = JSON.parse(await fs.readFile(paths.configFile, 'utf8'));
    config.agentLog = { rejectedPlanTasks: 1 };
    await fs.writeFile(paths.configFile, JSON.stringify(config));
    const engine = await Engine.start({ workspaceDir: paths.root, settleMs: 0 });
    try {
      const first = new ScriptedTeam({ paths, tasks: ['first'], conductor: 'scripted' });
      await until(engine, () => first.tick(), 'the first task');
      const second = new ScriptedTeam({ paths, tasks: ['second'], conductor: 'scripted' });
      await until(engine, async () => (await second.tick(), engine.run('second')?.snapshot.value !== undefined && stateLabel(engine.run('second')!.snapshot.value).startsWith('awaitingApproval')), 'the second plan');
      const c = engine.run('second')!.snapshot.context as unknown as RunContext;
      expect(c.adaptations.map((a) => a.rule)).toContain('plan-rejections');
      const adaptation = c.adaptations.find((a) => a.rule === 'plan-rejections')!;
      expect(adaptation.reason).toMatch(/in 1 of 1 logged task \(.*Task first/);
      const prompt = await fs.readFile(path.join(paths.step('second', 'plan', 1), 'prompt.md'), 'utf8');
      expect(prompt).toContain(adaptation.instruction);
      expect(prompt).toContain(adaptation.reason);
    } finally {
      await engine.stop();
    }
  });
});

describe('a step whose command fails', () => {
  it('should wait on a person with the reason shown, and go on when the person retries it', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.project = '.';
      c.steps = { plan: { kind: 'command', argv: [process.execPath, fakeLlmPath(), '--fail=plan:2'], retries: 1, backoffMs: 10, timeoutMs: 30_000 } };
    });
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await until(engine, () => engine.run('t1')?.snapshot.tags.includes('waiting-on-person') ?? false, 'the failed plan step');
      const summary = summarize(engine.run('t1')!);
      expect(summary.waitsOn).toBe('person');
      expect(summary.waitingFor).toMatch(/exited with code 1[\s\S]*after 2 tries/);
      await engine.retry('t1', 'plan');
      await until(engine, () => stateLabel(engine.run('t1')!.snapshot.value) === 'awaitingApproval.waiting', 'the plan after the retry');
    } finally {
      await engine.stop();
    }
  });

  it('should kill a command that never exits at its timeout and say so', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.project = '.';
      c.steps = { plan: { kind: 'command', argv: [process.execPath, fakeLlmPath(), '--hang=plan'], retries: 0, timeoutMs: 1_000 } };
    });
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await until(engine, () => engine.run('t1')?.snapshot.tags.includes('waiting-on-person') ?? false, 'the timeout');
      expect(summarize(engine.run('t1')!).waitingFor).toMatch(/timed out after 1(\.0)?s/);
      const attempts = (await fs.readFile(path.join(paths.step('t1', 'plan', 1), 'attempts.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { pid: number });
      for (const { pid } of attempts) expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      await engine.stop();
    }
  });
});
