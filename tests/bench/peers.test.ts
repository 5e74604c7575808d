import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DriverResult } from '../../bench/driver.js';
import { dropFor, ENGINEER } from '../../bench/lib/lifecycle.js';
import { benchWorkspace, runScript, seedPeer, startResponder, stopProcess } from '../../bench/lib/processes.js';
import { makeIdleRuns } from '../../bench/lib/resume.js';
import { renderMessage } from '../../src/protocol/render.js';

/** Waits (generously) until `dir` holds a file whose text passes `test`. */
async function fileIn(dir: string, test: (text: string) => boolean): Promise<string> {
  for (let i = 0; i < 600; i++) {
    for (const name of await fs.readdir(dir)) {
      const text = await fs.readFile(path.join(dir, name), 'utf8').catch(() => '');
      if (test(text)) return text;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing matching in ${dir}`);
}

describe('the benchmark peers and cases', () => {
  it('drops a burst of handoffs at once and times the first and the last PLAN', async () => {
    const paths = await benchWorkspace('burst-test');
    const started = await startResponder('null', paths.root);
    try {
      const r = await runScript<DriverResult>('driver.ts', ['--workspace', paths.root, '--burst', '30']);
      expect(r.messages).toBe(30);
      expect(Object.keys(r.byExchange)).toEqual(['handoff→PLAN']);
      expect(r.firstMs).toBeGreaterThan(0);
      expect(r.firstMs!).toBeLessThanOrEqual(r.seconds * 1000);
      expect(r.unfinished).toBeUndefined();
    } finally {
      await stopProcess(started.child);
      await fs.rm(paths.root, { recursive: true, force: true });
    }
  });

  it('runs whole lifecycles through the naive XState peer, a durable snapshot per task', async () => {
    const paths = await benchWorkspace('xstate-test');
    const started = await startResponder('xstate', paths.root);
    try {
      const r = await runScript<DriverResult>('driver.ts', ['--workspace', paths.root, '--concurrency', '2', '--runs', '3', '--prefix', 't']);
      expect(r.messages).toBe(3 * 4);
      const snapshot = JSON.parse(await fs.readFile(path.join(paths.root, 'peer-xstate', 't-00001.json'), 'utf8')) as { status: string; value: string };
      expect(snapshot).toMatchObject({ status: 'done', value: 'done' });
    } finally {
      await stopProcess(started.child);
      await fs.rm(paths.root, { recursive: true, force: true });
    }
  });

  it('resumes the runs the XState peer left unfinished: an approval after a restart gets the handoffs', async () => {
    const paths = await benchWorkspace('xstate-resume-test');
    await seedPeer('xstate', paths.root, 12);
    expect((await fs.readdir(path.join(paths.root, 'peer-xstate'))).length).toBe(12);
    const started = await startResponder('xstate', paths.root);
    try {
      const inbox = paths.inbox(ENGINEER);
      await fs.writeFile(path.join(inbox.tmp, 'conductor--idle-00003.md'), renderMessage(dropFor('idle-00003', 1)));
      await fs.rename(path.join(inbox.tmp, 'conductor--idle-00003.md'), path.join(inbox.new, 'conductor--idle-00003.md'));
      const handoff = await fileIn(paths.inbox('sentinel').new, (t) => t.includes('[TASK: idle-00003]'));
      expect(handoff).toContain('[TYPE: HANDOFF]');
    } finally {
      await stopProcess(started.child);
      await fs.rm(paths.root, { recursive: true, force: true });
    }
  });

  it('leaves teamstate runs unfinished, one in ten mid-step, and the engine picks them all up', async () => {
    const paths = await benchWorkspace('engine-resume-test');
    await makeIdleRuns(paths, 20);
    const plansBefore = (await fs.readdir(paths.inbox('conductor').new)).length;
    const started = await startResponder('engine', paths.root);
    try {
      // The mid-step runs (idle-00010, idle-00020 and their template) re-run their plan step on restart: their PLANs go out now.
      for (const id of ['idle-00010', 'idle-00020', 'mid-step-template']) await fileIn(paths.inbox('conductor').new, (t) => t.includes(`[TASK: ${id}]`) && t.includes('[TYPE: PLAN]'));
      expect((await fs.readdir(paths.inbox('conductor').new)).length).toBe(plansBefore + 3);
      // A waiting one goes on with its approval.
      const inbox = paths.inbox(ENGINEER);
      await fs.writeFile(path.join(inbox.tmp, 'conductor--idle-00003.md'), renderMessage(dropFor('idle-00003', 1)));
      await fs.rename(path.join(inbox.tmp, 'conductor--idle-00003.md'), path.join(inbox.new, 'conductor--idle-00003.md'));
      expect(await fileIn(paths.inbox('sentinel').new, (t) => t.includes('[TASK: idle-00003]'))).toContain('[TYPE: HANDOFF]');
    } finally {
      await stopProcess(started.child);
      await fs.rm(paths.root, { recursive: true, force: true });
    }
  });
});
