import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/protocol/parse.js';
import { runCli } from '../workspace/cli-helpers.js';
import { exists, tempDir } from '../workspace/helpers.js';

/** A temp folder with ./workspace initialised; commands run in it without --workspace. */
async function setup(): Promise<{ cwd: string; inbox: (m: string, sub?: string) => string }> {
  const cwd = await tempDir();
  const r = await runCli(['init', '--preset', 'instant', '--no-fsync'], { cwd });
  expect(r.code).toBe(0);
  return { cwd, inbox: (m, sub = 'new') => path.join(cwd, 'workspace', 'inboxes', m, sub) };
}

async function messagesIn(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).sort();
}

describe('teamstate send', () => {
  it('delivers a message with every header to an aliased recipient', async () => {
    const { cwd, inbox } = await setup();
    const args = ['send', '--from', 'conductor', '--to', 'builder', '--type', 'status', '--priority', 'high', '--task', 'T-1', '--id', 'c-1', '--reply-to', 'p-9', '--decision', 'approved', '--action', 'go ahead', '--body', 'APPROVED'];
    const r = await runCli(args, { cwd });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^delivered STATUS to backend-engineer: workspace\/inboxes\/backend-engineer\/new\/conductor--id-c-1-[0-9a-f]{16}\.md\n$/);
    const [name] = await messagesIn(inbox('backend-engineer'));
    const parsed = parseMessage(await fs.readFile(path.join(inbox('backend-engineer'), name!)));
    expect(parsed).toEqual({
      ok: true,
      value: { priority: 'HIGH', type: 'STATUS', to: ['backend-engineer'], from: 'conductor', task: 'T-1', id: 'c-1', replyTo: 'p-9', decision: 'APPROVED', body: 'APPROVED', action: 'go ahead' },
    });
    expect(await messagesIn(inbox('backend-engineer', 'tmp'))).toEqual([]);
  });

  it('accepts repeated --to and comma lists, ALL, and a body from --file or stdin', async () => {
    const { cwd, inbox } = await setup();
    await fs.writeFile(path.join(cwd, 'body.md'), 'from a file');
    expect((await runCli(['send', '--from', 'analyst', '--to', 'breaker,sentinel', '--to', 'librarian', '--type', 'REPORT', '--file', 'body.md'], { cwd })).code).toBe(0);
    for (const m of ['breaker', 'sentinel', 'librarian']) expect(await messagesIn(inbox(m))).toHaveLength(1);
    const piped = await runCli(['send', '--from', 'librarian', '--to', 'ALL', '--type', 'META'], { cwd, input: 'from stdin\n' });
    expect(piped.code).toBe(0);
    expect(piped.stdout.trim().split('\n')).toHaveLength(5);
    expect(await messagesIn(inbox('librarian'))).toHaveLength(1); // the REPORT only: ALL leaves out the sender
    const [name] = await messagesIn(inbox('conductor'));
    expect(await fs.readFile(path.join(inbox('conductor'), name!), 'utf8')).toContain('from stdin');
  });

  it('delivers a message with the same --id once, whether the recipient left it in new/ or took it away', async () => {
    const { cwd, inbox } = await setup();
    const send = (body: string) => runCli(['send', '--from', 'breaker', '--to', 'builder', '--type', 'BUG', '--id', 'b-1', '--body', body], { cwd });
    await send('first');
    const second = await send('second');
    expect(second.stdout).toMatch(/^skipped backend-engineer: already delivered/);
    const files = await messagesIn(inbox('backend-engineer'));
    expect(files).toHaveLength(1);
    expect(await fs.readFile(path.join(inbox('backend-engineer'), files[0]!), 'utf8')).toContain('first');
    await fs.rename(path.join(inbox('backend-engineer'), files[0]!), path.join(inbox('backend-engineer', 'cur'), 'read.md'));
    const third = await send('third');
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(/^skipped backend-engineer: already delivered/);
    expect(await messagesIn(inbox('backend-engineer'))).toEqual([]);
  });

  it('refuses an unknown recipient or sender without making an inbox', async () => {
    const { cwd } = await setup();
    const r = await runCli(['send', '--from', 'analyst', '--to', 'ghost', '--type', 'REPORT', '--body', 'x'], { cwd });
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe('teamstate: unknown recipient "ghost"; members are analyst, conductor, backend-engineer, breaker, sentinel, librarian (aliases: builder → backend-engineer)\n');
    expect(await exists(path.join(cwd, 'workspace', 'inboxes', 'ghost'))).toBe(false);
    const s = await runCli(['send', '--from', 'mallory', '--to', 'analyst', '--type', 'REPORT', '--body', 'x'], { cwd });
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/^teamstate: unknown sender "mallory"/);
  });

  it.each([
    [['--to', '../analyst'], /--to "..\/analyst" contains a path separator; expected a member name or ALL/],
    [['--to', 'a/b'], /--to "a\/b" contains a path separator/],
    [['--from', '..'], /--from ".." contains "\.\."/],
    [['--task', '../../etc'], /--task "..\/..\/etc" contains a path separator/],
    [['--id', 'x/../../y'], /--id "x\/..\/..\/y" contains a path separator or "\.\."/],
  ])('refuses %j before touching any file', async (flags, message) => {
    const { cwd } = await setup();
    const args = ['send', '--from', 'analyst', '--to', 'conductor', '--type', 'REPORT', '--body', 'x'];
    for (let i = 0; i < flags.length; i += 2) {
      const at = args.indexOf(flags[i]!);
      if (at >= 0) args.splice(at, 2, flags[i]!, flags[i + 1]!);
      else args.push(flags[i]!, flags[i + 1]!);
    }
    const before = await fs.readdir(path.join(cwd, 'workspace', 'inboxes'));
    const r = await runCli(args, { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(await fs.readdir(path.join(cwd, 'workspace', 'inboxes'))).toEqual(before);
    expect(await messagesIn(path.join(cwd, 'workspace', 'inboxes', 'conductor', 'new'))).toEqual([]);
  });

  it('says what is expected for a bad type, priority or missing flag', async () => {
    const { cwd } = await setup();
    const base = ['send', '--from', 'analyst', '--to', 'conductor', '--body', 'x'];
    expect((await runCli([...base, '--type', 'BUGG'], { cwd })).stderr).toMatch(/^teamstate: --type "BUGG": expected one of PLAN, STATUS/);
    expect((await runCli([...base, '--type', 'BUG', '--priority', 'urgent'], { cwd })).stderr).toMatch(/--priority "URGENT": expected one of LOW, MEDIUM, HIGH, CRITICAL/);
    expect((await runCli(base, { cwd })).stderr).toMatch(/--type is required/);
    const both = await runCli([...base, '--type', 'BUG', '--file', 'x.md'], { cwd });
    expect(both).toMatchObject({ code: 1, stderr: expect.stringMatching(/--body TEXT or --file PATH, not both/) });
  });

  it('refuses a HANDOFF with no body, which would start a run with nothing to plan from', async () => {
    const { cwd, inbox } = await setup();
    const r = await runCli(['send', '--from', 'analyst', '--to', 'builder', '--type', 'HANDOFF', '--body', '  \n'], { cwd });
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe("teamstate: a HANDOFF needs a body: the report the receiver works from (for the backend-engineer, the analyst's report); give it with --body, --file or stdin\n");
    expect(await messagesIn(inbox('backend-engineer'))).toEqual([]);
  });

  it('tells the user to run init when the workspace has no config', async () => {
    const cwd = await tempDir();
    const r = await runCli(['send', '--workspace', 'nowhere', '--from', 'a', '--to', 'b', '--type', 'BUG', '--body', 'x'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nowhere\/teamstate\.json: no teamstate\.json here; run `teamstate init/);
  });

  it('prints the deliveries as JSON with --json', async () => {
    const { cwd } = await setup();
    const r = await runCli(['send', '--json', '--from', 'sentinel', '--to', 'builder,conductor', '--type', 'PASS', '--id', 's-1', '--body', 'green'], { cwd });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      from: 'sentinel',
      type: 'PASS',
      key: 'id:s-1',
      deliveries: [
        { recipient: 'backend-engineer', status: 'delivered', file: expect.stringMatching(/inboxes\/backend-engineer\/new\/sentinel--id-s-1-[0-9a-f]{16}\.md$/) },
        { recipient: 'conductor', status: 'delivered', file: expect.stringMatching(/inboxes\/conductor\/new\/sentinel--id-s-1-[0-9a-f]{16}\.md$/) },
      ],
    });
  });

  it('has --help', async () => {
    const r = await runCli(['send', '--help'], { cwd: await tempDir() });
    expect(r.code).toBe(0);
    for (const flag of ['--from', '--to', '--type', '--priority', '--task', '--id', '--reply-to', '--decision', '--action', '--body', '--file', '--workspace']) expect(r.stdout).toContain(flag);
  });
});
