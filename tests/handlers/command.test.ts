import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../src/handlers/command.js';
import { isAlive, zombieChildren } from '../../src/handlers/process-tree.js';
import { FAKE_LLM, attempts, commandConfig, recordingSleep, request, tempWorld, waitForFile } from './helpers.js';

const templatesDir = join(import.meta.dirname, '..', '..', 'templates', 'prompts');
const node = process.execPath;

/** A child that starts a grandchild ignoring SIGTERM, writes both pids, and hangs (ignoring SIGTERM too). */
const TREE = `
const { spawn } = require('node:child_process');
const fs = require('node:fs');
process.on('SIGTERM', () => {});
const g = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1e6)"], { stdio: 'ignore' });
fs.writeFileSync(process.argv[1], JSON.stringify({ child: process.pid, grandchild: g.pid }));
setInterval(() => {}, 1e6);
`;

describe('command handler', () => {
  it('gives the command the prompt on stdin and the context as files and env, in the project directory', async () => {
    const world = await tempWorld();
    const script = `
      const fs = require('node:fs');
      const stdin = fs.readFileSync(0, 'utf8');
      const e = process.env;
      process.stdout.write(JSON.stringify({
        stdin, cwd: process.cwd(),
        env: { dir: e.TEAMSTATE_STEP_DIR, step: e.TEAMSTATE_STEP, run: e.TEAMSTATE_RUN, output: e.TEAMSTATE_OUTPUT, extra: e.EXTRA },
        context: JSON.parse(fs.readFileSync(e.TEAMSTATE_CONTEXT, 'utf8')),
        prompt: fs.readFileSync(e.TEAMSTATE_PROMPT, 'utf8'),
      }));`;
    const handler = createCommandHandler(commandConfig({ argv: [node, '-e', script], env: { EXTRA: 'yes' } }), { prompts: { templatesDir } });
    const req = await request(world, 'implement', { input: { plan: '## Backend Implementation Plan\n- Modified files: app/services/OrderService.py' } });
    const outcome = await handler(req);
    expect(outcome.status).toBe('done');
    if (outcome.status !== 'done') return;
    const seen = JSON.parse(outcome.output.text);
    expect(seen.stdin).toContain('Cancel an order');
    expect(seen.stdin).toContain('app/services/OrderService.py');
    expect(seen.prompt).toBe(seen.stdin);
    expect(seen.cwd).toBe(world.project);
    expect(seen.env).toEqual({ dir: req.dir, step: 'implement', run: 'r1', output: join(req.dir, 'output.md'), extra: 'yes' });
    expect(seen.context.input.task.subject).toBe('Cancel an order');
  });

  it('captures stdout and stderr in the step folder and writes one attempts line per try', async () => {
    const world = await tempWorld();
    const script = `process.stdout.write('the result'); process.stderr.write('a warning')`;
    const handler = createCommandHandler(commandConfig({ argv: [node, '-e', script] }), { prompts: { templatesDir } });
    const req = await request(world, 'code-reviewer');
    const outcome = await handler(req);
    expect(outcome).toEqual({ status: 'done', output: { text: 'the result' } });
    expect(await readFile(join(req.dir, 'stdout.txt'), 'utf8')).toBe('the result');
    expect(await readFile(join(req.dir, 'stderr.txt'), 'utf8')).toBe('a warning');
    const [line, ...more] = await attempts(req.dir);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ try: 1, exitCode: 0, signal: null, timedOut: false, outcome: 'done' });
    expect(typeof line!.durationMs).toBe('number');
    expect(existsSync(join(req.dir, 'running.json'))).toBe(false);
  });

  it('takes the output file over stdout when the command writes one', async () => {
    const world = await tempWorld();
    const handler = createCommandHandler(commandConfig({ argv: [node, FAKE_LLM], env: { FAKE_LLM_TO_FILE: '1' } }), { prompts: { templatesDir } });
    const outcome = await handler(await request(world, 'security-auditor'));
    expect(outcome.status === 'done' && outcome.output.text).toMatch(/^# Security Audit Report/);
  });

  it('kills the whole process tree on timeout, a grandchild ignoring SIGTERM included', async () => {
    const world = await tempWorld();
    const pids = join(world.root, 'pids.json');
    const handler = createCommandHandler(commandConfig({ argv: [node, '-e', TREE, pids], timeoutMs: 3000 }), { prompts: { templatesDir }, killGraceMs: 200 });
    const outcome = await handler(await request(world, 'fix'));
    expect(outcome).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^timed out after 3s/) });
    const { child, grandchild } = JSON.parse(await readFile(pids, 'utf8'));
    expect(isAlive(child)).toBe(false);
    expect(isAlive(grandchild)).toBe(false);
  });

  it('reports a hung command as failed, timed out, and leaves nothing running', async () => {
    const world = await tempWorld();
    const handler = createCommandHandler(commandConfig({ argv: [node, FAKE_LLM], env: { FAKE_LLM_HANG: 'plan' }, timeoutMs: 1500 }), { prompts: { templatesDir }, killGraceMs: 200 });
    const req = await request(world, 'plan');
    const outcome = await handler(req);
    expect(outcome).toEqual({ status: 'failed', reason: 'timed out after 1.5s' });
    const [line] = await attempts(req.dir);
    expect(line).toMatchObject({ timedOut: true, outcome: 'failed', signal: 'SIGKILL' });
    expect(isAlive(line!.pid as number)).toBe(false);
  });

  it('retries a failing command with doubling backoff, then succeeds', async () => {
    const world = await tempWorld();
    const { sleep, delays } = recordingSleep();
    const handler = createCommandHandler(commandConfig({ argv: [node, FAKE_LLM], env: { FAKE_LLM_FAIL: 'implement:2' }, retries: 3, backoffMs: 100 }), { prompts: { templatesDir }, sleep });
    const req = await request(world, 'implement');
    const outcome = await handler(req);
    expect(outcome.status).toBe('done');
    expect(delays).toEqual([100, 200]);
    expect((await attempts(req.dir)).map((a) => a.exitCode)).toEqual([1, 1, 0]);
  });

  it('fails after the last retry with the tail of stderr in the reason', async () => {
    const world = await tempWorld();
    const { sleep, delays } = recordingSleep();
    const handler = createCommandHandler(commandConfig({ argv: [node, FAKE_LLM], env: { FAKE_LLM_FAIL: 'implement:9' }, retries: 1, backoffMs: 50 }), { prompts: { templatesDir }, sleep });
    const outcome = await handler(await request(world, 'implement'));
    expect(outcome.status).toBe('failed');
    const reason = outcome.status === 'failed' ? outcome.reason : '';
    expect(reason).toContain('exited with code 1');
    expect(reason).toContain('fake-llm: implement failed on purpose');
    expect(reason).toContain('(after 2 tries)');
    expect(delays).toEqual([50]);
  });

  it('fails a command killed by a signal, naming the signal', async () => {
    const world = await tempWorld();
    const script = `process.stderr.write('about to die\\n'); process.kill(process.pid, 'SIGKILL')`;
    const handler = createCommandHandler(commandConfig({ argv: [node, '-e', script] }), { prompts: { templatesDir } });
    const outcome = await handler(await request(world, 'fix'));
    expect(outcome).toEqual({ status: 'failed', reason: expect.stringMatching(/was killed by SIGKILL; stderr:\nabout to die/) });
  });

  it('hands the step to a person on the configured exit code, without retrying', async () => {
    const world = await tempWorld();
    const { sleep, delays } = recordingSleep();
    const handler = createCommandHandler(
      commandConfig({ argv: [node, FAKE_LLM], env: { FAKE_LLM_NEEDS_PERSON: 'plan:3' }, needsPersonExitCode: 3, retries: 2 }),
      { prompts: { templatesDir }, sleep },
    );
    const req = await request(world, 'plan');
    const outcome = await handler(req);
    expect(outcome).toEqual({ status: 'needs-person', reason: expect.stringContaining('needs a person to decide') });
    expect(delays).toEqual([]);
    expect(await attempts(req.dir)).toHaveLength(1);
  });

  it('kills the whole tree when the run aborts the step', async () => {
    const world = await tempWorld();
    const pids = join(world.root, 'pids.json');
    const controller = new AbortController();
    const handler = createCommandHandler(commandConfig({ argv: [node, '-e', TREE, pids], retries: 2 }), { prompts: { templatesDir }, killGraceMs: 200 });
    const running = handler(await request(world, 'implement', { signal: controller.signal }));
    await waitForFile(pids);
    controller.abort();
    const outcome = await running;
    expect(outcome).toEqual({ status: 'failed', reason: 'cancelled: the run left the step' });
    const { child, grandchild } = JSON.parse(await readFile(pids, 'utf8'));
    expect(isAlive(child)).toBe(false);
    expect(isAlive(grandchild)).toBe(false);
  });

  it('leaves no zombie children behind', async () => {
    const world = await tempWorld();
    const handler = createCommandHandler(commandConfig({ argv: [node, '-e', 'process.exit(2)'] }), { prompts: { templatesDir } });
    await Promise.all([handler(await request(world, 'fix')), handler(await request(world, 'implement'))]);
    expect(zombieChildren(process.pid)).toEqual([]);
  });

  it('passes message text to the command only as data, shell metacharacters and all', async () => {
    const world = await tempWorld();
    const marker = join(world.root, 'pwned');
    const nasty = `$(touch ${marker}) \`touch ${marker}\` "double" 'single' ; touch ${marker} && echo {{task.id}} $HOME`;
    const script = `
      const fs = require('node:fs');
      process.stdout.write(JSON.stringify({ stdin: fs.readFileSync(0, 'utf8'), arg: process.argv[1], ctx: fs.readFileSync(process.env.TEAMSTATE_CONTEXT, 'utf8') }));`;
    const handler = createCommandHandler(commandConfig({ argv: [node, '-e', script, nasty] }), { prompts: { templatesDir } });
    const outcome = await handler(await request(world, 'fix', { input: { task: { id: 'T-1', subject: nasty, description: nasty }, issue: { type: 'BUG', from: 'breaker', body: nasty } } }));
    expect(outcome.status).toBe('done');
    const seen = outcome.status === 'done' ? JSON.parse(outcome.output.text) : {};
    expect(seen.arg).toBe(nasty);
    expect(seen.stdin).toContain(nasty);
    expect(JSON.parse(seen.ctx).input.issue.body).toBe(nasty);
    expect(existsSync(marker)).toBe(false);
  });

  it('fails at once, without retrying, when the program cannot be started', async () => {
    const world = await tempWorld();
    const { sleep, delays } = recordingSleep();
    const handler = createCommandHandler(commandConfig({ argv: [join(world.root, 'no-such-program')], retries: 3 }), { prompts: { templatesDir }, sleep });
    const outcome = await handler(await request(world, 'plan'));
    expect(outcome).toEqual({ status: 'failed', reason: expect.stringMatching(/^could not start `.*no-such-program`: .*ENOENT.*check steps\.plan\.argv/) });
    expect(delays).toEqual([]);
  });

  it('reports a broken workspace prompt template with the file to fix', async () => {
    const world = await tempWorld();
    await mkdir(join(world.root, 'prompts'));
    await writeFile(join(world.root, 'prompts', 'plan.md'), 'Plan {{#rejections}} never closed');
    const handler = createCommandHandler(commandConfig({ argv: [node, '-e', '0'] }), { prompts: { templatesDir, workspaceDir: world.root } });
    const outcome = await handler(await request(world, 'plan'));
    expect(outcome).toEqual({ status: 'failed', reason: expect.stringContaining(`${join(world.root, 'prompts', 'plan.md')}: {{#rejections}} is never closed`) });
  });
});
