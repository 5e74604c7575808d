import { afterAll, describe, expect, it } from 'vitest';
import { stateLabel } from '../../src/engine/apply.js';
import { Engine } from '../../src/engine/engine.js';
import { RESUMING_AT_ONCE } from '../../src/engine/resume.js';
import { removeTemps } from '../temp.js';
import { HANDOFF_BODY, delivered, drop, editConfig, tempWorkspace, until } from './helpers.js';

afterAll(removeTemps);

const ENGINEER = 'backend-engineer';

describe('resuming runs a crash interrupted', () => {
  it('takes up more mid-step runs than it resumes at once, runs their instant step again, and sends each plan once', async () => {
    const n = RESUMING_AT_ONCE * 2 + 3;
    const tasks = Array.from({ length: n }, (_, i) => `r${i + 1}`);
    // The plan done by a person first, so every run is still in its plan step when the engine stops.
    const paths = await tempWorkspace('instant', (c) => {
      c.project = '.';
      c.steps = { ...(c.steps as object), plan: { kind: 'manual' } };
    });
    let engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      for (const task of tasks) await drop(paths, ENGINEER, { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task, body: HANDOFF_BODY });
      await until(engine, () => engine.manual.pending().filter((p) => p.step === 'plan').length === n, 'every run in its plan step');
    } finally {
      await engine.stop();
    }
    await editConfig(paths, (c) => {
      c.steps = { ...(c.steps as object), plan: { kind: 'instant' } };
    });
    engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      await until(engine, () => engine.runs().filter((r) => stateLabel(r.snapshot.value) === 'awaitingApproval.waiting').length === n, 'every plan');
      for (const r of engine.runs()) expect(r.attempts.plan).toBe(2);
      const plans = (await delivered(paths, 'conductor')).filter((m) => m.includes('[TYPE: PLAN]'));
      expect(plans).toHaveLength(n);
      for (const task of tasks) expect(plans.filter((m) => m.includes(`[TASK: ${task}]`))).toHaveLength(1);
    } finally {
      await engine.stop();
    }
  });
});
