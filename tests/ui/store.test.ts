import { describe, expect, it } from 'vitest';
import { UiStore } from '../../src/ui/store.js';
import { FakeEngine, runState } from './states.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the UI store', () => {
  it('publishes one snapshot for a burst of 10,000 run changes, holding the latest of each', async () => {
    const engine = new FakeEngine();
    for (let i = 0; i < 100; i++) engine.update(runState(`r${i}`, 'verifying', ['waiting-on-verification']));
    const store = new UiStore(engine, { throttleMs: 50 });
    let published = 0;
    store.subscribe(() => (published += 1));
    for (let i = 0; i < 10_000; i++) {
      engine.update(runState(`r${i % 100}`, 'verifying', ['waiting-on-verification'], { fixCycles: Math.floor(i / 100) }));
    }
    expect(published).toBe(0);
    await tick(120);
    expect(published).toBe(1);
    const runs = store.getSnapshot().runs;
    expect(runs).toHaveLength(100);
    expect(runs.every((r) => r.fixCycles === 99)).toBe(true);
    store.close();
  });

  it('keeps the snapshot object the same until something changes (no needless render)', async () => {
    const engine = new FakeEngine();
    engine.update(runState('a', 'idle', ['waiting-on-analyst']));
    const store = new UiStore(engine, { throttleMs: 0 });
    const first = store.getSnapshot();
    await tick(20);
    expect(store.getSnapshot()).toBe(first);
    engine.update(runState('a', 'readingLog', ['working']));
    await tick(20);
    expect(store.getSnapshot()).not.toBe(first);
    expect(store.getSnapshot().runs[0]!.state).toBe('readingLog');
    store.close();
  });

  it('sorts what needs a person first and keeps older runs read from disk after the live ones', () => {
    const engine = new FakeEngine();
    engine.update(runState('verify', 'verifying', ['waiting-on-verification']));
    engine.update(runState('stuck', { implementing: { working: 'stuck' } }, ['waiting-on-person'], { blocked: 'implement failed: exit 1' }));
    engine.update(runState('plan', { awaitingApproval: 'waiting' }, ['waiting-on-conductor']));
    const store = new UiStore(engine, { throttleMs: 0 });
    store.addHistory([runState('old', 'done', ['finished']), runState('plan', 'idle', ['waiting-on-analyst'])]);
    store.flush();
    const runs = store.getSnapshot().runs;
    expect(runs.map((r) => r.runId)).toEqual(['stuck', 'plan', 'verify', 'old']);
    expect(runs[0]!.waitingFor).toBe('a person: implement failed: exit 1');
    expect(store.state('old')?.snapshot.value).toBe('done');
    // The engine's copy wins over one read from disk.
    expect(store.state('plan')?.snapshot.value).toEqual({ awaitingApproval: 'waiting' });
    store.close();
  });

  it('keeps engine warnings and action results as notes, the newest last, and stops listening on close', async () => {
    const engine = new FakeEngine();
    const store = new UiStore(engine, { throttleMs: 0, maxNotes: 2 });
    engine.core.emit('warning', 'scan failed: EACCES');
    store.note('error', 'no run "x"');
    store.note('info', 'sent');
    store.flush();
    expect(store.getSnapshot().notes.map((n) => n.text)).toEqual(['no run "x"', 'sent']);
    store.close();
    expect(engine.core.listenerCount('run')).toBe(0);
    expect(engine.core.listenerCount('warning')).toBe(0);
  });
});
