import { promises as fs } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stateLabel } from '../../src/engine/apply.js';
import { RunCore } from '../../src/engine/core.js';
import type { RunStoreOf } from '../../src/engine/core.js';
import { Intake } from '../../src/engine/intake.js';
import { LazySteps } from '../../src/engine/lazy-steps.js';
import type { RunRecord, RunState } from '../../src/engine/run-state.js';
import { createManualHandler } from '../../src/handlers/manual.js';
import { createFolderMailbox } from '../../src/mailbox/folder/index.js';
import { openRunStore } from '../../src/store/open.js';
import { loadConfig } from '../../src/workspace/config.js';
import { HANDOFF_BODY, delivered, drop, tempWorkspace } from './helpers.js';

const ME = 'backend-engineer';

describe('a message for a run left on disk that cannot be read back just now', () => {
  it('should stay in the inbox through the passing fault and be applied exactly once after it', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.project = '.';
    });
    const config = await loadConfig(paths.root);
    const base = await openRunStore<RunRecord, RunState>(paths, { fsync: false });
    // The folder store, whose read-back of t1 fails once for want of a file handle (a passing fault).
    let emfile = 0;
    const store: RunStoreOf = {
      ...base,
      loadSync: (runId) => {
        if (emfile > 0 && runId === 't1') {
          emfile -= 1;
          throw Object.assign(new Error(`EMFILE: too many open files, open '${paths.run(runId).journal}'`), { code: 'EMFILE' });
        }
        return base.loadSync!(runId);
      },
    };
    const core = new RunCore({ paths, config, store, mailbox: createFolderMailbox({ paths, config, settleMs: 0 }), log: () => undefined });
    const now = Date.now;
    core.steps = new LazySteps({ core, paths, config, projectDir: paths.root, manual: createManualHandler({ now, prompts: { workspaceDir: paths.root } }), now });
    const warnings: string[] = [];
    core.on('warning', (w) => warnings.push(w));
    const intake = new Intake(core);
    const inbox = paths.inbox(ME);
    try {
      await drop(paths, ME, { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
      await intake.scan();
      await core.queue.idle();
      // Waiting for the conductor, and left on disk (none kept in memory).
      core.snapshots.keepLoaded = 0;
      await core.writeSnapshots();
      expect(stateLabel(core.runs.peek('t1')!.snapshot.value)).toBe('awaitingApproval.waiting');
      expect(core.runs.isOnDisk('t1')).toBe(true);

      emfile = 1;
      const approval = await drop(paths, ME, { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'APPROVED' });
      // The pass goes through; the message waits out the fault in the inbox and is taken once the gate lets it.
      for (let i = 0; i < 2000 && (await fs.readdir(inbox.new)).includes(approval); i++) {
        await intake.scan();
        await core.queue.idle();
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(emfile).toBe(0);
      expect(warnings.some((w) => /EMFILE/.test(w))).toBe(true);
      expect(await fs.readdir(inbox.new)).toEqual([]);
      expect(await fs.readdir(inbox.rejected)).toEqual([]);
      expect((await fs.readdir(inbox.cur)).filter((n) => n === approval)).toHaveLength(1);
      expect(stateLabel(core.get('t1')!.snapshot.value)).toBe('verifying');
      // Journaled once, and its replies sent once.
      const { records } = await base.read('t1');
      const applied = records.filter((r) => r.kind === 'event' && r.source.kind === 'message' && r.source.origin.endsWith(approval));
      expect(applied).toHaveLength(1);
      expect((await delivered(paths, 'sentinel')).filter((m) => m.includes('[TYPE: HANDOFF]'))).toHaveLength(1);
    } finally {
      await base.close();
    }
  });
});
