#!/usr/bin/env node
// A stand-in for claude -p, codex exec and gemini -p, for tests and demos: it answers the
// step as scripts/fake-llm.mjs does, wrapped in the CLI's documented machine output, and
// keeps sessions the way the real CLIs do. Use it as a preset's program:
//   "implement": {"kind": "command", "preset": "claude", "argv": ["node", "scripts/fake-cli.mjs", "claude"]}
//
// Behaviour on demand (env):
//   FAKE_CLI_ARGV_LOG=<file>       append {cli, argv, cwd, step, stdin} as one JSON line per call
//   FAKE_CLI_SESSIONS=<dir>        where sessions live (default: beside the step folders)
//   FAKE_CLI_HANG=<step>           hang (ignoring SIGTERM) when a new session starts for <step>;
//                                  a resumed session answers
//   FAKE_CLI_ERROR=<step>          print the CLI's error shape (max turns, turn.failed, error) and exit 0
//   FAKE_CLI_FAIL_FIRST=<step>     the first call for <step> prints the error shape (exit 0), later ones answer
//   FAKE_CLI_SLOW_MS=<ms>          print a progress line, then wait this long before answering
//   FAKE_CLI_COST=<usd>            what claude reports per call (default 0.05); codex and gemini report tokens
//   FAKE_CLI_WRITE=1               on implement and fix, write the plan's files in the working directory
//                                  (and claim one more in the text that it never wrote)
//   FAKE_CLI_STALE=<step>          the first new session for <step> is "already in use" (claude), the first
//                                  resume "not found" (codex, gemini)
// claude honours --max-budget-usd: a call that costs more ends with error_max_budget_usd.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const env = process.env;
const [cli, ...argv] = process.argv.slice(2);
const step = env.TEAMSTATE_STEP ?? 'plan';
const stdin = readFileSync(0, 'utf8');
const flag = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

function sessionsDir() {
  if (env.FAKE_CLI_SESSIONS) return env.FAKE_CLI_SESSIONS;
  let dir = env.TEAMSTATE_STEP_DIR ?? process.cwd();
  for (let i = 0; i < 3 && basename(dir) !== 'steps'; i++) dir = dirname(dir);
  return join(dir, '.fake-cli-sessions');
}
const sessions = sessionsDir();
mkdirSync(sessions, { recursive: true });
const sessionFile = (id) => join(sessions, `${id}.json`);
const once = (kind) => {
  const file = join(sessions, `.${kind}-${step}`);
  if (existsSync(file)) return false;
  writeFileSync(file, '1');
  return true;
};

if (env.FAKE_CLI_ARGV_LOG) appendFileSync(env.FAKE_CLI_ARGV_LOG, JSON.stringify({ cli, argv, cwd: process.cwd(), step, stdin: stdin.slice(0, 200) }) + '\n');

/** The session this call works in, or exits as the CLI does when it cannot be used. */
function openSession() {
  if (cli === 'claude') {
    const resume = flag('--resume');
    const create = flag('--session-id');
    if (resume) {
      if (!existsSync(sessionFile(resume))) fail(`No conversation found with session ID: ${resume}`);
      return { id: resume, resumed: true };
    }
    const id = create ?? randomUUID();
    if (existsSync(sessionFile(id)) || (env.FAKE_CLI_STALE === step && once('stale'))) fail(`Error: Session ID ${id} is already in use.`);
    writeFileSync(sessionFile(id), JSON.stringify({ step }));
    return { id, resumed: false };
  }
  const resume = cli === 'codex' ? (argv.includes('resume') ? argv[argv.indexOf('resume') + 1] : undefined) : flag('--resume');
  if (resume) {
    const stale = env.FAKE_CLI_STALE === step && once('stale');
    if (stale || !existsSync(sessionFile(resume))) {
      if (cli === 'codex') {
        process.stdout.write(JSON.stringify({ type: 'error', message: `No saved session found with ID ${resume}` }) + '\n');
        process.exit(1);
      }
      fail(`Error resuming session: session ${resume} not found`);
    }
    return { id: resume, resumed: true };
  }
  const id = randomUUID();
  writeFileSync(sessionFile(id), JSON.stringify({ step }));
  return { id, resumed: false };
}

function fail(text) {
  process.stderr.write(`${text}\n`);
  process.exit(1);
}

/** The step's answer, as fake-llm gives it. */
function answer() {
  const fake = join(dirname(fileURLToPath(import.meta.url)), 'fake-llm.mjs');
  const r = spawnSync(process.execPath, [fake], { input: stdin, env: { ...env, FAKE_LLM_TO_FILE: '' }, encoding: 'utf8' });
  if (r.status !== 0) fail(r.stderr || `fake-llm exited ${r.status}`);
  let text = r.stdout;
  if (env.FAKE_CLI_WRITE && (step === 'implement' || step === 'fix')) {
    const files = [...text.matchAll(/^- (\S+)$/gm)].map((m) => m[1]);
    for (const f of files) {
      const file = join(process.cwd(), f);
      mkdirSync(dirname(file), { recursive: true });
      // A class named for the file, as the built-in naming check wants.
      const name = basename(f).replace(/\.py$/, '');
      if (!existsSync(file)) writeFileSync(file, `class ${name}:\n    """${name}."""\n`);
      appendFileSync(file, `# ${step} of ${env.TEAMSTATE_RUN}\n`);
    }
    text += '- docs/claimed-but-never-written.md\n';
  }
  return text;
}

const session = openSession();
if (env.FAKE_CLI_HANG === step && !session.resumed) {
  process.on('SIGTERM', () => {});
  if (cli === 'codex') process.stdout.write(JSON.stringify({ type: 'thread.started', thread_id: session.id }) + '\n');
  if (cli === 'claude') process.stdout.write(JSON.stringify({ type: 'system', subtype: 'init', session_id: session.id, model: 'claude-sonnet-4-5' }) + '\n');
  setInterval(() => {}, 1 << 30);
} else {
  const error = env.FAKE_CLI_ERROR === step || (env.FAKE_CLI_FAIL_FIRST === step && once('fail-first'));
  if (env.FAKE_CLI_SLOW_MS && !error) {
    const progress = cli === 'claude' ? { type: 'assistant', message: { content: [{ type: 'tool_use', name: 'Edit', input: { file_path: 'app/services/OrderService.py' } }] } } : { type: 'item.started', item: { type: 'command_execution', command: 'pytest -q' } };
    process.stdout.write(JSON.stringify(progress) + '\n');
    await new Promise((r) => setTimeout(r, Number(env.FAKE_CLI_SLOW_MS)));
  }
  const text = error ? '' : answer();
  const cost = Number(env.FAKE_CLI_COST ?? 0.05);
  // Claude stops a run that would spend more than --max-budget-usd (after the turn that crossed it).
  const budget = flag('--max-budget-usd');
  const overBudget = cli === 'claude' && budget !== undefined && cost > Number(budget);
  if (overBudget) {
    const usage = { input_tokens: 12, cache_creation_input_tokens: 1000, cache_read_input_tokens: 9000, output_tokens: 400 };
    process.stdout.write(JSON.stringify({ type: 'result', subtype: 'error_max_budget_usd', is_error: true, num_turns: 2, session_id: session.id, total_cost_usd: cost, usage, errors: [`Reached maximum budget ($${budget})`], terminal_reason: 'budget_exhausted' }) + '\n');
  } else if (cli === 'claude') {
    const usage = { input_tokens: 12, cache_creation_input_tokens: 1000, cache_read_input_tokens: 9000, output_tokens: 400 };
    const modelUsage = { 'claude-sonnet-4-5': { inputTokens: 12, outputTokens: 400, cacheReadInputTokens: 9000, cacheCreationInputTokens: 1000, webSearchRequests: 0, costUSD: cost } };
    const lines = [
      { type: 'system', subtype: 'init', session_id: session.id, model: 'claude-sonnet-4-5' },
      { type: 'assistant', message: { content: [{ type: 'text', text: error ? 'Working…' : text.split('\n')[0] }] }, session_id: session.id },
      error
        ? { type: 'result', subtype: 'error_max_turns', is_error: true, num_turns: 3, session_id: session.id, total_cost_usd: cost, usage, modelUsage, errors: ['Reached maximum number of turns (3)'] }
        : { type: 'result', subtype: 'success', is_error: false, num_turns: 3, result: text, session_id: session.id, total_cost_usd: cost, usage, modelUsage },
    ];
    process.stdout.write(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  } else if (cli === 'codex') {
    const events = [{ type: 'thread.started', thread_id: session.id }, { type: 'turn.started' }];
    if (error) events.push({ type: 'error', message: 'Rate limit reached' }, { type: 'turn.failed', error: { message: 'Rate limit reached' } });
    else events.push({ type: 'item.completed', item: { id: 'item_0', type: 'agent_message', text } }, { type: 'turn.completed', usage: { input_tokens: 20000, cached_input_tokens: 15000, output_tokens: 500 } });
    process.stdout.write(events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  } else {
    const stats = { models: { 'gemini-2.5-pro': { api: { totalRequests: 2, totalErrors: 0, totalLatencyMs: 900 }, tokens: { prompt: 8000, candidates: 300, total: 8400, cached: 4000, thoughts: 100, tool: 0 } } } };
    process.stdout.write(JSON.stringify(error ? { session_id: session.id, error: { type: 'FatalTurnLimitedError', message: 'Reached max session turns', code: 53 }, stats } : { session_id: session.id, response: text, stats }, null, 2) + '\n');
  }
}
