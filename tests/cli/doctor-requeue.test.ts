import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeQuarantine } from '../../src/store/quarantine.js';
import { initWorkspace } from '../../src/workspace/init.js';
import { WorkspacePaths } from '../../src/workspace/paths.js';
import { editConfig, HANDOFF_BODY } from '../engine/helpers.js';
import { tempDir } from '../workspace/helpers.js';
import { runCli } from '../workspace/cli-helpers.js';

async function workspace(edit?: (c: Record<string, unknown>) => void): Promise<WorkspacePaths> {
  const dir = await tempDir('teamstate-doctor-');
  await initWorkspace(path.join(dir, 'ws'), { fsync: false });
  const paths = new WorkspacePaths(path.join(dir, 'ws'));
  if (edit) await editConfig(paths, edit);
  return paths;
}

describe('teamstate doctor', () => {
  it('finds no problem in a fresh workspace with its project, and notes the default project', async () => {
    const paths = await workspace();
    const r = await runCli(['doctor', '--workspace', paths.root], { cwd: paths.root });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✓ config   ');
    expect(r.stdout).toContain(`· project  no "project" in ${paths.configFile}: the steps would work in ${path.join(paths.root, 'project')}`);
    expect(r.stdout).toContain('✓ lock     no engine is running (no lock)');
    expect(r.stdout).toMatch(/no problems\n$/);
  });

  it('exits 1 naming each problem and what to do: a missing project, a program not on PATH, an inbox that is a link, a stale lock, an unreadable journal', async () => {
    const paths = await workspace((c) => {
      c.project = '../missing-project';
      c.steps = { implement: { kind: 'command', argv: ['no-such-llm-cli-xyz', '-p'] }, fix: { kind: 'command', argv: [process.execPath] } };
    });
    const inbox = paths.inbox('sentinel');
    await fs.rm(inbox.root, { recursive: true });
    await fs.symlink(path.dirname(paths.root), inbox.root);
    await fs.writeFile(paths.lockFile, JSON.stringify({ pid: 2 ** 22 + 12345, startedAt: 0, nonce: 'x' }));
    await fs.mkdir(paths.run('r1').dir, { recursive: true });
    await fs.writeFile(paths.run('r1').journal, 'garbage that is no record\n{"also":"not"}\n');
    const r = await runCli(['doctor', '--workspace', paths.root, '--json'], { cwd: paths.root });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { problems: number; findings: { level: string; check: string; text: string }[] };
    const problems = out.findings.filter((f) => f.level === 'problem');
    expect(problems.map((p) => p.check)).toEqual(expect.arrayContaining(['project', 'steps', 'folders']));
    expect(problems.find((p) => p.check === 'project')?.text).toMatch(/missing-project does not exist: create it, or fix "project"/);
    expect(problems.find((p) => p.check === 'steps')?.text).toBe('steps.implement: "no-such-llm-cli-xyz" is not on PATH; install it, or give its full path in steps.implement.argv');
    expect(out.findings).toContainEqual({ level: 'ok', check: 'steps', text: `steps.fix: ${process.execPath} → ${process.execPath}` });
    expect(problems.find((p) => p.check === 'folders')?.text).toMatch(/inbox of sentinel .* is a symbolic link; make it a real folder/);
    expect(out.findings.find((f) => f.check === 'lock')?.text).toMatch(/a stale lock \(pid \d+, not running\)/);
    expect(out.findings.some((f) => f.check === 'runs' && /run r1/.test(f.text))).toBe(true);
    expect(out.problems).toBe(problems.length);
  });

  it('exits 1 naming a quarantined run, with its reason and what to do', async () => {
    const paths = await workspace();
    await writeQuarantine(paths.runsDir, { runId: 't9', reason: 'its journal was deleted while the engine ran', at: 0 }, false);
    const r = await runCli(['doctor', '--workspace', paths.root, '--json'], { cwd: paths.root });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { findings: { level: string; check: string; text: string }[] };
    expect(out.findings).toContainEqual({ level: 'problem', check: 'runs', text: expect.stringMatching(/^run t9 is quarantined: its journal was deleted while the engine ran; restore runs\/t9/) });
  });

  it('reports a config it cannot read as the one problem to fix first', async () => {
    const paths = await workspace();
    await fs.writeFile(paths.configFile, '{ "members": ["a", "b"], "engine": { "member": "a" }, "steps": { "fix": { "kind": "manual", "retrys": 1 } } }');
    const r = await runCli(['doctor', '--workspace', paths.root], { cwd: paths.root });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ config .*steps\.fix: unknown field "retrys"/);
  });
});

describe('teamstate requeue', () => {
  it('refuses a rejected message that is still wrong, then puts the fixed one back into new/ without its reason', async () => {
    const paths = await workspace();
    const inbox = paths.inbox('backend-engineer');
    const file = path.join(inbox.rejected, 'analyst--t1.md');
    await fs.writeFile(file, '[TYPE: HANDOFF]\n[PRIORITY: HIGH]\n[TO: builder]\n[TASK: t1]\n');
    await fs.writeFile(`${file}.reason.txt`, 'a HANDOFF needs a body\n');
    const still = await runCli(['requeue', file], { cwd: paths.root });
    expect(still.code).toBe(1);
    expect(still.stderr).toMatch(/analyst--t1\.md is still not valid: a HANDOFF needs a body/);
    await fs.writeFile(file, `[TYPE: HANDOFF]\n[PRIORITY: HIGH]\n[TO: builder]\n[TASK: t1]\n\n${HANDOFF_BODY}\n`);
    const ok = await runCli(['requeue', path.relative(paths.root, file)], { cwd: paths.root });
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(await fs.readdir(inbox.rejected)).toEqual([]);
    expect(await fs.readdir(inbox.new)).toEqual(['analyst--t1.md']);
    const notThere = await runCli(['requeue', path.join(paths.root, 'teamstate.json')], { cwd: paths.root });
    expect(notThere.code).toBe(1);
    expect(notThere.stderr).toMatch(/is not in an inbox's rejected\/ folder/);
  });

  it('lists the newest rejection first in `teamstate inbox`', async () => {
    const paths = await workspace();
    const inbox = paths.inbox('backend-engineer');
    for (const [name, at] of [['older.md', 1_000], ['newer.md', 2_000]] as const) {
      await fs.writeFile(path.join(inbox.rejected, name), 'x');
      await fs.writeFile(path.join(inbox.rejected, `${name}.reason.txt`), `reason of ${name}\n`);
      await fs.utimes(path.join(inbox.rejected, `${name}.reason.txt`), at, at);
    }
    const r = await runCli(['inbox', 'backend-engineer', '--workspace', paths.root], { cwd: paths.root });
    expect(r.stdout.indexOf('newer.md')).toBeLessThan(r.stdout.indexOf('older.md'));
  });
});
