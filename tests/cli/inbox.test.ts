import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../workspace/cli-helpers.js';
import { tempDir } from '../workspace/helpers.js';

async function setup(): Promise<{ cwd: string; inbox: string }> {
  const cwd = await tempDir();
  expect((await runCli(['init', 'ws', '--no-fsync'], { cwd })).code).toBe(0);
  return { cwd, inbox: path.join(cwd, 'ws', 'inboxes', 'backend-engineer') };
}

describe('teamstate inbox', () => {
  it('shows new, processed and rejected messages with the reasons', async () => {
    const { cwd, inbox } = await setup();
    expect((await runCli(['send', '--workspace', 'ws', '--from', 'analyst', '--to', 'builder', '--type', 'HANDOFF', '--priority', 'HIGH', '--task', 'T-1', '--body', 'x', '--action', 'Use this map.'], { cwd })).code).toBe(0);
    await fs.writeFile(path.join(inbox, 'sentinel--dropped.md'), '[PRIORITY: MEDIUM]\n[TYPE: PASS]\n[TO: builder]\n\nall green\n');
    // Modified "just now" whatever the machine's speed: an mtime ahead of the clock.
    const soon = new Date(Date.now() + 3_600_000);
    await fs.utimes(path.join(inbox, 'sentinel--dropped.md'), soon, soon);
    await fs.writeFile(path.join(inbox, 'cur', 'breaker--old.md'), '[PRIORITY: LOW]\n[TYPE: BUG]\n[TO: builder]\n\nold\n');
    await fs.writeFile(path.join(inbox, 'rejected', 'bad.md'), 'junk');
    await fs.writeFile(path.join(inbox, 'rejected', 'bad.md.reason.txt'), 'line 1: expected the message to begin with [PRIORITY: …]\n\nTo retry, ...\n');
    const r = await runCli(['inbox', 'builder', '--workspace', 'ws'], { cwd });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^inbox of backend-engineer: ws\/inboxes\/backend-engineer\n/);
    expect(r.stdout).toMatch(/new \(2\):\n {2}new\/analyst--send-[^ ]+\.md {2}HANDOFF from analyst \(HIGH, task T-1\)\n {2}sentinel--dropped\.md {2}PASS from sentinel \(MEDIUM\) {2}\[still being written\?\]\n/);
    expect(r.stdout).toMatch(/processed \(1\):\n {2}breaker--old\.md {2}BUG from breaker \(LOW\)\n/);
    expect(r.stdout).toMatch(/rejected \(1\):\n {2}bad\.md {2}line 1: expected the message to begin with \[PRIORITY: …\]\n$/);

    const j = await runCli(['inbox', 'backend-engineer', '--workspace', 'ws', '--json'], { cwd });
    const report = JSON.parse(j.stdout) as { member: string; new: { from: string; type: string; where: string }[]; processed: unknown[]; rejected: { name: string; reason: string }[] };
    expect(report.member).toBe('backend-engineer');
    expect(report.new).toMatchObject([
      { from: 'analyst', type: 'HANDOFF', where: 'new' },
      { from: 'sentinel', type: 'PASS', where: 'root' },
    ]);
    expect(report.processed).toHaveLength(1);
    expect(report.rejected).toMatchObject([{ name: 'bad.md', reason: 'line 1: expected the message to begin with [PRIORITY: …]' }]);
  });

  it('refuses an unknown member, naming the team', async () => {
    const { cwd } = await setup();
    const r = await runCli(['inbox', 'ghost', '--workspace', 'ws'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^teamstate: unknown member "ghost"; members are analyst, /);
  });

  it('shows the file, field path and what is expected when the config is wrong', async () => {
    const { cwd } = await setup();
    const file = path.join(cwd, 'ws', 'teamstate.json');
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.replace(/"fixCycles": \d+/, '"fixCycles": "x"'));
    const r = await runCli(['inbox', 'analyst', '--workspace', 'ws'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^teamstate: ${file.replace(/[.]/g, '\\.')}:\\d+:\\d+: limits\\.fixCycles: expected a number, got "x"\\n$`));
  });

  it('shows line:column for a JSON syntax error in the config', async () => {
    const { cwd } = await setup();
    const file = path.join(cwd, 'ws', 'teamstate.json');
    await fs.writeFile(file, '{\n  "members": ["a", "b"]\n  "engine": {}\n}\n');
    const r = await runCli(['inbox', 'a', '--workspace', 'ws'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:3:3: not valid JSON (expected ",")`);
  });
});
