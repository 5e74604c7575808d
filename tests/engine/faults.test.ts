import { promises as fs } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_TRIES } from '../../src/engine/intake.js';
import { Engine } from '../../src/engine/engine.js';
import { summarize } from '../../src/engine/view.js';
import { HANDOFF_BODY, drop, settle, tempWorkspace, until } from './helpers.js';

describe('a message whose applying keeps failing', () => {
  it(`should stay in the inbox for ${MAX_TRIES} tries, then be kept aside with the error`, async () => {
    const paths = await tempWorkspace('instant');
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      // A bug the message hits: every commit throws an error that is not the disk's.
      engine.core.commit = () => Promise.reject(new Error('a bug in the transition'));
      const name = await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      const inbox = paths.inbox('backend-engineer');
      for (let i = 1; i < MAX_TRIES; i++) {
        await engine.scan();
        expect(await fs.readdir(inbox.new)).toContain(name);
      }
      await engine.scan();
      expect(await fs.readdir(inbox.new)).not.toContain(name);
      expect(await fs.readFile(`${inbox.rejected}/${name}.reason.txt`, 'utf8')).toMatch(new RegExp(`could not be applied in ${MAX_TRIES} tries: a bug in the transition`));
    } finally {
      await engine.stop();
    }
  });
});

describe('a step result that cannot be journaled', () => {
  it('should mark the run faulted with the reason, and a restart should take the step up again', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.steps = { implement: { kind: 'manual' } };
    });
    let engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await settle(engine);
      await drop(paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'APPROVED' });
      await until(engine, () => engine.manual.pending().some((p) => p.step === 'implement'), 'the manual implement step');
      const store = engine.core.deps.store;
      const append = store.append.bind(store);
      // Not a passing fault of the disk (those are waited out and retried): one that will not clear by itself.
      store.append = () => Promise.reject(new Error('the journal refused the record'));
      expect(engine.manual.complete('t1', 'implement', { status: 'done', output: { text: 'done', files: [] } })).toBe(true);
      await until(engine, () => engine.run('t1')?.faulted !== undefined, 'the run to be faulted');
      const summary = summarize(engine.run('t1')!);
      expect(summary.faulted).toMatch(/the end of step implement could not be journaled: the journal refused the record/);
      expect(summary.waitsOn).toBe('person');
      expect(summary.waitingFor).toMatch(/restart/);
      store.append = append;
    } finally {
      await engine.stop();
    }
    engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
    try {
      await until(engine, () => engine.manual.pending().some((p) => p.step === 'implement'), 'the implement step again');
      expect(engine.run('t1')!.faulted).toBeUndefined();
    } finally {
      await engine.stop();
    }
  });
});
