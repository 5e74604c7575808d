import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventLabel, oneLine, timerName } from '../../src/engine/labels.js';
import { Engine } from '../../src/engine/engine.js';
import { timeline } from '../../src/engine/view.js';
import { readJournal } from '../../src/engine/read.js';
import { readTask } from '../../src/workspace/tasks.js';
import { projectConcern, projectOf } from '../../src/workspace/project.js';
import { HANDOFF_BODY, drop, settle, tempWorkspace } from './helpers.js';

describe('what the engine says to a person', () => {
  it('names events and timers in words, never by their XState ids', () => {
    expect(eventLabel({ type: 'xstate.done.actor.plan', output: { status: 'done' } })).toBe('plan done');
    expect(eventLabel({ type: 'xstate.done.actor.implement', output: { status: 'failed', reason: 'x' } })).toBe('implement failed');
    expect(eventLabel({ type: 'xstate.error.actor.fix' })).toBe('fix failed');
    expect(eventLabel({ type: 'xstate.after.approvalReminder.backend-engineer.awaitingApproval' })).toBe('approval reminder timer');
    expect(eventLabel({ type: 'BUG', from: 'breaker' })).toBe('BUG from breaker');
    expect(timerName('xstate.after.approvalEscalate.backend-engineer.awaitingApproval.waiting')).toBe('approval escalate');
    expect(oneLine('Traceback (most recent call last):\n  File "x"\nValueError: boom\n')).toBe('Traceback (most recent call last): (+2 more lines)');
  });

  it('logs transitions in words, shows a failed step as failed on one line, a person\'s cancel with its reason, and creates the task file of a hand-dropped HANDOFF', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.project = '.';
      c.steps = { implement: { kind: 'command', argv: [process.execPath, '-e', 'console.error("line one\\nline two\\nline three"); process.exit(3)'], retries: 0 } };
    });
    const log: string[] = [];
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, log: (l) => log.push(l) });
    try {
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 'hand-1', body: HANDOFF_BODY });
      await settle(engine);
      expect(await readTask(paths, 'hand-1')).toMatchObject({ id: 'hand-1', status: 'in_progress', owner: 'backend-engineer', subject: 'user signup' });
      await drop(paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 'hand-1', body: 'APPROVED' });
      await settle(engine);
      for (let i = 0; i < 400 && !engine.run('hand-1')!.snapshot.tags.includes('waiting-on-person'); i++) {
        await new Promise((r) => setTimeout(r, 25));
        await settle(engine);
      }
      await engine.cancel('hand-1', 'the analyst withdrew it');
      expect(log.join('\n')).not.toMatch(/xstate\./);
      expect(log.join('\n')).toMatch(/\(plan done\)/);
      const entries = timeline((await readJournal(paths, 'hand-1')).records);
      const failed = entries.find((e) => e.dir === 'step' && e.peer === 'implement');
      expect(failed).toMatchObject({ type: 'failed' });
      expect(failed!.firstLine).not.toContain('\n');
      expect(entries.find((e) => e.dir === 'person')).toMatchObject({ type: 'cancel', firstLine: 'cancelled: the analyst withdrew it' });
    } finally {
      await engine.stop();
    }
  });

  it('refuses to start on a configured project that does not exist, and makes the default one', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.project = '../no-such-project';
    });
    await expect(Engine.start({ workspaceDir: paths.root, watch: false })).rejects.toThrow(/project folder .*no-such-project does not exist; create it, or fix "project" in/);
    const config = JSON.parse(await fs.readFile(paths.configFile, 'utf8')) as Record<string, unknown>;
    delete config.project;
    await fs.writeFile(paths.configFile, JSON.stringify(config));
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false });
    try {
      expect(engine.project).toEqual({ dir: path.join(paths.root, 'project'), configured: false });
      expect((await fs.stat(engine.project.dir)).isDirectory()).toBe(true);
    } finally {
      await engine.stop();
    }
  });

  it('calls the home folder and the file-system root odd projects', () => {
    expect(projectConcern(os.homedir())).toBe('it is your home folder');
    expect(projectConcern('/')).toBe('it is the root of the file system');
    expect(projectOf('/ws', { project: '../app' })).toEqual({ dir: '/app', configured: true });
    expect(projectOf('/ws', {})).toEqual({ dir: '/ws/project', configured: false });
  });

  it('says that an edit to teamstate.json is not applied while it runs, and that this edit would be refused', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.project = '.';
      c.scanIntervalMs = 60_000;
    });
    const engine = await Engine.start({ workspaceDir: paths.root, settleMs: 0 });
    const warnings: string[] = [];
    engine.core.on('warning', (w) => warnings.push(w));
    try {
      // Give the watcher a moment to be ready before editing.
      await new Promise((r) => setTimeout(r, 300));
      const valid = await fs.readFile(paths.configFile, 'utf8');
      await fs.writeFile(paths.configFile, '{ "members": ["a"] }');
      const refused = /^teamstate\.json changed, and a restart would refuse it: .*members/;
      for (let i = 0; i < 400 && !warnings.some((w) => refused.test(w)); i++) await new Promise((r) => setTimeout(r, 25));
      expect(warnings.some((w) => refused.test(w))).toBe(true);
      expect(valid).toContain('"members"');
    } finally {
      await engine.stop();
    }
  });
});
