import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../../src/handlers/command.js';
import type { StepSession } from '../../../src/handlers/types.js';
import type { StepName } from '../../../src/workspace/config-schema.js';
import { attempts, commandConfig, request, tempWorld } from '../helpers.js';

const FAKE_CLI = fileURLToPath(new URL('../../../scripts/fake-cli.mjs', import.meta.url));
const templatesDir = join(import.meta.dirname, '..', '..', '..', 'templates', 'prompts');

interface Call {
  cli: string;
  argv: string[];
  cwd: string;
  step: string;
  stdin: string;
}

/** A preset handler on the fake CLI, an argv log, journaled sessions and ids minted in order. */
async function setup(cli: 'claude' | 'codex' | 'gemini', step: StepName, over: { env?: Record<string, string>; retries?: number; session?: StepSession; budget?: { limitUsd: number; spentUsd: number }; attempt?: number } = {}) {
  const world = await tempWorld();
  const log = join(world.root, 'argv.jsonl');
  let n = 0;
  const handler = createCommandHandler(
    commandConfig({ preset: cli, argv: [process.execPath, FAKE_CLI, cli], retries: over.retries ?? 0, env: { FAKE_CLI_ARGV_LOG: log, ...over.env } } as never),
    { prompts: { templatesDir }, newId: () => `00000000-0000-4000-8000-00000000000${++n}`, prices: { 'gpt-5': { input: 1.25, output: 10, cached: 0.125 } } },
  );
  const noted: { session: StepSession; spawnedBefore: boolean }[] = [];
  const req = await request(world, step, {
    ...(over.session ? { session: over.session } : {}),
    ...(over.budget ? { budget: over.budget } : {}),
    ...(over.attempt ? { attempt: over.attempt } : {}),
    noteSession: async (session) => void noted.push({ session, spawnedBefore: existsSync(log) && (await calls()).length > noted.length }),
  });
  const calls = async (): Promise<Call[]> =>
    existsSync(log)
      ? (await readFile(log, 'utf8'))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Call)
      : [];
  return { world, handler, req, noted, calls };
}

describe('claude preset', () => {
  it('runs claude -p with stream-json, a read-only permission for a reviewer, and a session minted and journaled before the spawn', async () => {
    const t = await setup('claude', 'code-reviewer');
    const outcome = await t.handler(t.req);
    expect(outcome.status).toBe('done');
    if (outcome.status !== 'done') return;
    expect(outcome.output.text).toContain('# Code Review Report');
    expect(outcome.usage).toMatchObject({ costUsd: 0.05, costFrom: 'cli', inputTokens: 10012, cachedTokens: 9000, outputTokens: 400, turns: 3 });
    const [call] = await t.calls();
    expect(call!.argv).toEqual(['-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'plan', '--session-id', '00000000-0000-4000-8000-000000000001']);
    expect(call!.cwd).toBe(t.world.project);
    expect(t.noted).toEqual([{ session: { cli: 'claude', id: '00000000-0000-4000-8000-000000000001' }, spawnedBefore: false }]);
    const [line] = await attempts(t.req.dir);
    expect(line).toMatchObject({ try: 1, outcome: 'done', session: '00000000-0000-4000-8000-000000000001', usage: { costUsd: 0.05 } });
  });

  it('lets implement write files (acceptEdits)', async () => {
    const t = await setup('claude', 'implement');
    expect((await t.handler(t.req)).status).toBe('done');
    expect((await t.calls())[0]!.argv).toContain('acceptEdits');
  });

  it('takes an error result with exit 0 as a failed try with claude\'s message, and retries in the same session', async () => {
    const t = await setup('claude', 'plan', { env: { FAKE_CLI_ERROR: 'plan' }, retries: 1 });
    const outcome = await t.handler(t.req);
    expect(outcome).toMatchObject({ status: 'failed', reason: '`claude` reported an error: error_max_turns: Reached maximum number of turns (3)\n(after 2 tries)' });
    // Both tries are paid for.
    expect(outcome.usage).toMatchObject({ costUsd: 0.1, turns: 6 });
    const [first, second] = await t.calls();
    expect(first!.argv).toContain('--session-id');
    expect(second!.argv.slice(-2)).toEqual(['--resume', '00000000-0000-4000-8000-000000000001']);
    expect(second!.stdin).toMatch(/^You were interrupted \(the last try failed\)/);
  });

  it('resumes the session an interrupted attempt journaled, with a short prompt instead of the whole one', async () => {
    const first = await setup('claude', 'implement');
    expect((await first.handler(first.req)).status).toBe('done');
    // The same session store: the session exists, as after a crash mid-step.
    const t = await setup('claude', 'implement', { session: { cli: 'claude', id: '00000000-0000-4000-8000-000000000001' }, attempt: 2, env: { FAKE_CLI_SESSIONS: join(first.world.steps, '.fake-cli-sessions') } });
    expect((await t.handler(t.req)).status).toBe('done');
    const [call] = await t.calls();
    expect(call!.argv.slice(-2)).toEqual(['--resume', '00000000-0000-4000-8000-000000000001']);
    expect(call!.stdin).toMatch(/^You were interrupted \(the engine stopped or restarted\) while doing the implement step/);
    expect(t.noted).toEqual([]);
  });

  it('starts a fresh session, journaled with why, when the session is already in use (not counted as a try)', async () => {
    const t = await setup('claude', 'plan', { env: { FAKE_CLI_STALE: 'plan' } });
    const outcome = await t.handler(t.req);
    expect(outcome.status).toBe('done');
    expect(t.noted.map((n) => n.session)).toEqual([
      { cli: 'claude', id: '00000000-0000-4000-8000-000000000001' },
      { cli: 'claude', id: '00000000-0000-4000-8000-000000000002', fresh: 'claude said session 00000000-0000-4000-8000-000000000001 is already in use; a fresh session was started' },
    ]);
    const lines = await attempts(t.req.dir);
    expect(lines.map((l) => l.outcome)).toEqual(['failed', 'done']);
  });

  it('starts a fresh session when the journaled one cannot be found', async () => {
    const t = await setup('claude', 'fix', { session: { cli: 'claude', id: 'gone' } });
    expect((await t.handler(t.req)).status).toBe('done');
    const [resume, fresh] = await t.calls();
    expect(resume!.argv.slice(-2)).toEqual(['--resume', 'gone']);
    expect(fresh!.argv).toContain('--session-id');
    expect(t.noted[0]!.session.fresh).toBe('claude said session gone was not found; a fresh session was started');
  });

  it('stops before spawning when the run has spent its budget, and gives claude the rest of it otherwise', async () => {
    const over = await setup('claude', 'implement', { budget: { limitUsd: 1, spentUsd: 1.2 } });
    const stopped = await over.handler(over.req);
    expect(stopped.status).toBe('needs-person');
    if (stopped.status !== 'needs-person') return;
    expect(stopped.reason).toMatch(/^the run has cost \$1\.20 of its \$1\.00 budget \(limits\.maxCostUsd\)/);
    expect(await over.calls()).toEqual([]);
    const under = await setup('claude', 'implement', { budget: { limitUsd: 1, spentUsd: 0.25 } });
    expect((await under.handler(under.req)).status).toBe('done');
    expect((await under.calls())[0]!.argv.slice(-2)).toEqual(['--max-budget-usd', '0.7500']);
  });
});

describe('codex preset', () => {
  it('runs codex exec --json in a read-only sandbox for a reviewer and journals the thread it names', async () => {
    const t = await setup('codex', 'security-auditor');
    const outcome = await t.handler(t.req);
    expect(outcome.status).toBe('done');
    const [call] = await t.calls();
    expect(call!.argv).toEqual(['exec', '--json', '--skip-git-repo-check', '--sandbox', 'read-only', '-']);
    expect(t.noted).toHaveLength(1);
    expect(t.noted[0]!.session.cli).toBe('codex');
    // Priced from the config: codex reports tokens only.
    expect(outcome.usage).toMatchObject({ costFrom: 'unknown', inputTokens: 20000, outputTokens: 500, turns: 1 });
  });

  it('resumes a journaled thread with `exec resume <id> -`, the sandbox as a config value, and starts fresh when it is gone', async () => {
    const t = await setup('codex', 'implement', { session: { cli: 'codex', id: 'no-such-thread' } });
    expect((await t.handler(t.req)).status).toBe('done');
    const [resume, fresh] = await t.calls();
    expect(resume!.argv).toEqual(['exec', '--json', '--skip-git-repo-check', '-c', 'sandbox_mode="workspace-write"', 'resume', 'no-such-thread', '-']);
    expect(fresh!.argv).toEqual(['exec', '--json', '--skip-git-repo-check', '--sandbox', 'workspace-write', '-']);
    expect(t.noted.at(-1)!.session.fresh).toMatch(/^codex said session no-such-thread was not found/);
  });

  it('takes turn.failed as a failure even with exit 0', async () => {
    const t = await setup('codex', 'plan', { env: { FAKE_CLI_ERROR: 'plan' } });
    expect(await t.handler(t.req)).toMatchObject({ status: 'failed', reason: '`codex` reported an error: Rate limit reached' });
  });
});

describe('gemini preset', () => {
  it('runs gemini with JSON output, plan approval mode for a reviewer, and journals the session it reports', async () => {
    const t = await setup('gemini', 'architecture-validator');
    const outcome = await t.handler(t.req);
    expect(outcome.status).toBe('done');
    const [call] = await t.calls();
    expect(call!.argv.slice(0, 4)).toEqual(['--output-format', 'json', '--approval-mode', 'plan']);
    expect(t.noted).toHaveLength(1);
    expect(outcome.usage).toMatchObject({ inputTokens: 8000, outputTokens: 400, cachedTokens: 4000, turns: 2 });
  });

  it('takes an error object as a failed try with gemini\'s message', async () => {
    const t = await setup('gemini', 'test-generator', { env: { FAKE_CLI_ERROR: 'test-generator' } });
    expect(await t.handler(t.req)).toMatchObject({ status: 'failed', reason: '`gemini` reported an error: FatalTurnLimitedError: Reached max session turns' });
    expect((await t.calls())[0]!.argv).toContain('auto_edit');
  });
});
