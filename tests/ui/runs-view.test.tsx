import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initRepo } from '../git-repo.js';
import { HANDOFF_BODY, KEY, drop, openUi } from './helpers.js';

let ui: Awaited<ReturnType<typeof openUi>> | undefined;
afterEach(async () => {
  await ui?.close();
  ui = undefined;
});

const handoff = (u: NonNullable<typeof ui>, task: string) => drop(u.paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task, body: HANDOFF_BODY });

describe('the runs view', () => {
  it('lists every run with its task, state, what it waits on, fix cycles and last message', async () => {
    ui = await openUi();
    await ui.waitFor('No runs yet');
    await handoff(ui, 't1');
    await ui.settle();
    const f = await ui.waitFor('t1');
    expect(f).toContain('awaitingApproval.waiting');
    expect(f).toContain("the conductor's decision");
    expect(f).toMatch(/→ PLAN conductor: ## Backend/);
    expect(f).toContain('1 run ·');
  });

  it('sorts the runs by what needs a person first, finished runs last', async () => {
    ui = await openUi({ conductor: 'person' });
    await handoff(ui, 'first');
    await ui.settle();
    ui.tick(1000);
    await handoff(ui, 'second');
    await ui.settle();
    // `first` goes on to verification; `second` keeps waiting on the conductor (a person).
    await ui.engine.decide('first', true, '');
    await ui.settle();
    const f = await ui.waitFor(/second[\s\S]*first/);
    const rows = f.split('\n').filter((l) => /^\S? ?\s?(first|second)\s/.test(l.replace('›', ' ').trimStart()));
    expect(rows.map((r) => r.trim().replace(/^› /, '').split(/\s+/)[0])).toEqual(['second', 'first']);
    expect(f).toMatch(/first\s+user signup\s+verifying/);
  });

  it('moves the selection with the arrows and opens the selected run with Enter', async () => {
    ui = await openUi();
    await handoff(ui, 'a1');
    await ui.settle();
    ui.tick(1000);
    await handoff(ui, 'a2');
    await ui.settle();
    await ui.waitFor('a2');
    expect(ui.frame()).toMatch(/› a1/);
    await ui.press(KEY.down);
    await ui.waitFor(/› a2/);
    await ui.press(KEY.enter);
    const f = await ui.waitFor('› run a2');
    expect(f).toContain('a2 user signup');
    await ui.press(KEY.esc);
    await ui.waitFor(/› a2/);
  });

  it('says in the run’s line and on its screen that a finished run’s work was not committed, with git’s words and where the work is', async () => {
    let project = '';
    ui = await openUi({ edit: (c) => ((c.git = { onDone: 'commit' }), (project = c.project as string)) });
    await initRepo(project, { 'app/__init__.py': '' });
    await fs.writeFile(path.join(project, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\necho "ruff: E999 bad indentation"\nexit 1\n', { mode: 0o755 });
    await handoff(ui, 't1');
    await ui.settle();
    await drop(ui.paths, 'backend-engineer', { from: 'conductor', type: 'STATUS', priority: 'HIGH', task: 't1', body: 'APPROVED' });
    await ui.settle();
    const wt = path.join(project, '.teamstate', 'worktrees', 't1');
    await fs.writeFile(path.join(wt, 'app', 'users.py'), 'x = 1\n');
    await drop(ui.paths, 'backend-engineer', { from: 'sentinel', type: 'PASS', priority: 'LOW', task: 't1', body: 'ALL CLEAR' });
    await ui.settle();
    const f = await ui.waitFor('NOT committed');
    expect(f).toMatch(/t1\s+user signup\s+done\s+finished, NOT committed \(git: ruff: E999/);
    await ui.press(KEY.enter);
    expect(await ui.waitFor('› run t1')).toContain(`finished — NOT committed (git: ruff: E999 bad indentation); the work is in ${wt}`);
  });
});
