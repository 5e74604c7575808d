import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateLabel } from '../../src/engine/apply.js';
import { awaitVerdict, queueControl } from '../../src/engine/control.js';
import { Engine } from '../../src/engine/engine.js';
import type { WorkspacePaths } from '../../src/workspace/paths.js';
import { makeTemp } from '../temp.js';
import { runCli } from '../workspace/cli-helpers.js';
import { HANDOFF_BODY, drop, tempWorkspace, until } from './helpers.js';

/** A running engine (no watcher, scanned by hand) with run t1 waiting for a person's decision on its plan. */
async function waitingOnPerson(): Promise<{ paths: WorkspacePaths; engine: Engine; said: string[] }> {
  const paths = await tempWorkspace('instant', (c) => (c.conductor = 'person'));
  const said: string[] = [];
  const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, log: (l) => said.push(l) });
  await drop(paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 't1', body: HANDOFF_BODY });
  await until(engine, () => stateLabel(engine.run('t1')?.snapshot.value ?? '') === 'awaitingApproval.waiting', 'the plan');
  return { paths, engine, said };
}

/** control/ swapped for a link to a folder outside the workspace, holding a queued action. */
async function linkControl(paths: WorkspacePaths): Promise<string> {
  const outside = await makeTemp('teamstate-outside-');
  await fs.writeFile(path.join(outside, '00000000000001-aaaa.json'), JSON.stringify({ action: 'cancel', run: 't1', reason: 'through a link' }));
  await fs.rm(paths.controlDir, { recursive: true });
  await fs.symlink(outside, paths.controlDir);
  return outside;
}

describe('person actions in control/', () => {
  it('are neither read nor written while control/ is a link put there under the running engine, said once with the link, and taken again once it is a folder', async () => {
    const { paths, engine, said } = await waitingOnPerson();
    try {
      const outside = await linkControl(paths);
      const before = await fs.readdir(outside);
      for (let i = 0; i < 5; i++) await engine.scan();
      expect(stateLabel(engine.run('t1')!.snapshot.value)).toBe('awaitingApproval.waiting');
      // Nothing applied, renamed or written in the folder the link points to.
      expect(await fs.readdir(outside)).toEqual(before);
      const lines = said.filter((l) => l.includes('person actions in control/ are not taken'));
      expect(lines).toEqual([`warning: person actions in control/ are not taken: control is a symbolic link (to ${outside}); teamstate writes nothing through a link: replace it with a real folder; they are taken again once it is a real folder`]);

      // The CLI refuses to queue through it, naming the link.
      const cli = await runCli(['cancel', 't1', '--workspace', paths.root, '--wait', '0'], { cwd: paths.root });
      expect(cli.code).toBe(1);
      expect(cli.stderr).toContain(`cannot queue the action: control is a symbolic link (to ${outside})`);
      expect(await fs.readdir(outside)).toEqual(before);

      await fs.rm(paths.controlDir);
      await fs.mkdir(paths.controlDir);
      await queueControl(paths, { action: 'cancel', run: 't1', reason: 'from a real folder' });
      await until(engine, () => engine.run('t1')?.snapshot.status === 'done', 'the cancel');
      expect(said).toContain('warning: person actions in control/ are taken again: it is a real folder');
    } finally {
      await engine.stop();
    }
  });

  it('refuses an action file that is a link, without reading what it points to, and keeps it with the reason', async () => {
    const { paths, engine } = await waitingOnPerson();
    try {
      const outside = path.join(await makeTemp('teamstate-outside-'), 'cancel.json');
      await fs.writeFile(outside, JSON.stringify({ action: 'cancel', run: 't1', reason: 'read through a link' }));
      const name = '00000000000001-link.json';
      await fs.symlink(outside, path.join(paths.controlDir, name));
      await engine.scan();
      expect(stateLabel(engine.run('t1')!.snapshot.value)).toBe('awaitingApproval.waiting');
      const verdict = await awaitVerdict(path.join(paths.controlDir, name), 5000);
      expect(verdict).toEqual({ status: 'refused', reason: `not a valid action: ${name} is a symbolic link (to ${outside}); actions are read only from regular files in control/, never through a link` });
      expect((await fs.lstat(path.join(paths.controlDir, `${name}.rejected`))).isSymbolicLink()).toBe(true);
    } finally {
      await engine.stop();
    }
  });

  it('refuses a FIFO dropped as an action without blocking the engine on it', async () => {
    const { paths, engine } = await waitingOnPerson();
    try {
      const name = '00000000000001-fifo.json';
      execFileSync('mkfifo', [path.join(paths.controlDir, name)]);
      await engine.scan();
      const verdict = await awaitVerdict(path.join(paths.controlDir, name), 5000);
      expect(verdict).toEqual({ status: 'refused', reason: `not a valid action: ${name} is not a regular file; actions are read only from regular files in control/` });
      // The engine goes on taking actions after it.
      await queueControl(paths, { action: 'decide', run: 't1', approved: true, feedback: '' });
      await until(engine, () => stateLabel(engine.run('t1')!.snapshot.value) !== 'awaitingApproval.waiting', 'the approval');
    } finally {
      await engine.stop();
    }
  });

  it('writes a refusal’s reason beside the action without following a link planted under that name', async () => {
    const { paths, engine } = await waitingOnPerson();
    try {
      const victim = path.join(await makeTemp('teamstate-outside-'), 'victim.txt');
      await fs.writeFile(victim, 'untouched\n');
      const file = await queueControl(paths, { action: 'retry', run: 't1', step: 'plan' });
      await fs.symlink(victim, `${file}.rejected.reason.txt`);
      await engine.scan();
      const verdict = await awaitVerdict(file, 5000);
      expect(verdict.status).toBe('refused');
      expect(await fs.readFile(victim, 'utf8')).toBe('untouched\n');
      expect((await fs.lstat(`${file}.rejected.reason.txt`)).isFile()).toBe(true);
    } finally {
      await engine.stop();
    }
  });
});
