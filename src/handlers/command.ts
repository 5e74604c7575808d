import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import type { HandlerConfig, StepName } from '../workspace/config-schema.js';
import { createPresetTool } from './llm/tool.js';
import { judgeEnd, readText } from './step-tool.js';
import type { StepTool } from './step-tool.js';
export { formatDuration } from './step-tool.js';
import { addUsage } from './llm/usage.js';
import type { PriceTable, Usage } from './llm/usage.js';
import { noteEnded, noteRunning } from './leftovers.js';
import { renderPrompt } from './prompts.js';
import type { PromptSources } from './prompts.js';
import { runOnce } from './run-command.js';
import { appendAttempt, tail, writeStepInputs } from './step-files.js';
import type { StepFiles } from './step-files.js';
import type { StepHandler, StepOutcome, StepRequest } from './types.js';

export type CommandHandlerConfig = Extract<HandlerConfig, { kind: 'command' }>;

/** What a command handler needs from outside; each has a default for real use. */
export interface CommandDeps {
  /** @default Date.now */
  now?: () => number;
  /** Waits between tries (tests record the delays instead). @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Time a process group gets between SIGTERM and SIGKILL. @default 5000 */
  killGraceMs?: number;
  /** Where prompt templates come from. */
  prompts?: PromptSources;
  /** Mints session ids for CLIs that take one (claude). @default crypto.randomUUID */
  newId?: () => string;
  /** Prices for CLIs that report no cost (config `prices`). */
  prices?: PriceTable;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sleeps unless the step is aborted first; false when aborted. */
async function pause(sleep: (ms: number) => Promise<void>, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  let onAbort = () => {};
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal.addEventListener('abort', onAbort, { once: true });
  });
  await Promise.race([sleep(ms), aborted]);
  signal.removeEventListener('abort', onAbort);
  return !signal.aborted;
}

/** A plain program: exit 0 is done, with the output file or stdout as the result. */
function plainTool(config: CommandHandlerConfig & { argv: string[] }): StepTool {
  const program = config.argv[0]!;
  return {
    plan: async (_n, _request, prompt) => ({ argv: config.argv, stdin: prompt }),
    judge: async (run, files, request) => {
      const ended = await judgeEnd(run, files, program, request.step, config.timeoutMs);
      if (ended) return ended;
      const stderr = tail(await readText(files.stderr));
      const withTail = (reason: string) => (stderr ? `${reason}; stderr:\n${stderr}` : reason);
      if (run.exitCode === 0) {
        // The output file wins: a command that writes its result there may log on stdout.
        const text = existsSync(files.output) ? await readFile(files.output, 'utf8') : await readText(files.stdout);
        return { outcome: { status: 'done', output: { text } }, retry: false };
      }
      if (run.exitCode !== null && run.exitCode === config.needsPersonExitCode) {
        const said = stderr || tail(await readText(files.stdout));
        return { outcome: { status: 'needs-person', reason: `\`${program}\` asked for a person (exit ${run.exitCode})${said ? `: ${said}` : ''}` }, retry: false };
      }
      const how = run.signal ? `was killed by ${run.signal}` : `exited with code ${run.exitCode}`;
      return { outcome: { status: 'failed', reason: withTail(`\`${program}\` ${how}`) }, retry: true };
    },
  };
}

function stepEnv(request: StepRequest, files: StepFiles, config: CommandHandlerConfig): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...config.env,
    TEAMSTATE_STEP_DIR: files.dir,
    TEAMSTATE_STEP: request.step,
    TEAMSTATE_RUN: request.runId,
    TEAMSTATE_ATTEMPT: String(request.attempt),
    TEAMSTATE_PROJECT: request.projectDir,
    TEAMSTATE_CONTEXT: files.context,
    TEAMSTATE_PROMPT: files.prompt,
    TEAMSTATE_OUTPUT: files.output,
    ...(request.input.mode ? { TEAMSTATE_MODE: request.input.mode } : {}),
  };
}

/**
 * A step done by a program (`claude -p`, `codex exec`, a script): argv without a shell, run
 * in the project directory, the rendered prompt on stdin, the context in files and env.
 * Exit 0 is done (the result is the output file if written, else stdout); the configured
 * `needsPersonExitCode` hands the step to a person; anything else fails, after `retries`
 * more tries with doubling backoff. A timeout or abort ends the whole process group.
 */
export function createCommandHandler(config: CommandHandlerConfig, deps: CommandDeps = {}): StepHandler {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? realSleep;
  const graceMs = deps.killGraceMs ?? 5_000;
  const toolFor = (step: StepName): StepTool => {
    if (config.preset) return createPresetTool(config, step, { ...(deps.newId ? { newId: deps.newId } : {}), prices: deps.prices ?? {} });
    if (!config.argv) throw new Error('a command step needs argv or a preset');
    return plainTool({ ...config, argv: config.argv });
  };
  return async (request) => {
    let prompt: string;
    try {
      prompt = await renderPrompt(request, deps.prompts);
    } catch (e) {
      return { status: 'failed', reason: `could not render the ${request.step} prompt: ${(e as Error).message}` };
    }
    const tool = toolFor(request.step);
    const files = await writeStepInputs(request, prompt);
    const env = stepEnv(request, files, config);
    const tries = config.retries + 1;
    let last: StepOutcome = { status: 'failed', reason: 'cancelled before it started' };
    let used: Usage | undefined;
    const withUsage = (o: StepOutcome): StepOutcome => (used ? { ...o, usage: used } : o);
    let n = 0;
    let fresh = 0;
    while (n < tries) {
      n += 1;
      if (request.signal.aborted) return withUsage({ status: 'failed', reason: 'cancelled: the run left the step' });
      // A result file from an earlier try must not pass for this one's.
      await rm(files.output, { force: true });
      const plan = await tool.plan(n, request, prompt, used?.costUsd ?? 0);
      if ('status' in plan) {
        last = plan;
        break;
      }
      const startedAt = new Date(now()).toISOString();
      const stopWatching = tool.watch?.(files, request);
      const run = await runOnce({
        argv: plan.argv,
        cwd: request.projectDir,
        env,
        stdin: plan.stdin,
        stdoutPath: files.stdout,
        stderrPath: files.stderr,
        timeoutMs: config.timeoutMs,
        graceMs,
        signal: request.signal,
        now,
        onSpawn: (pid) => noteRunning(files.dir, pid, plan.argv, now(), { try: n, timeoutMs: config.timeoutMs, ...(tool.preset ? { preset: tool.preset } : {}) }),
      });
      await stopWatching?.();
      noteEnded(files.dir);
      const verdict = await tool.judge(run, files, request);
      const { outcome, retry } = verdict;
      if (verdict.usage) used = used ? addUsage(used, verdict.usage) : verdict.usage;
      await appendAttempt(files, {
        try: n,
        startedAt,
        argv: plan.argv,
        ...(run.pid !== undefined ? { pid: run.pid } : {}),
        exitCode: run.exitCode,
        signal: run.signal,
        durationMs: run.durationMs,
        timedOut: run.timedOut,
        aborted: run.aborted,
        outcome: outcome.status,
        ...(outcome.status !== 'done' ? { reason: outcome.reason } : {}),
        ...(plan.session ? { session: plan.session } : {}),
        ...(verdict.usage ? { usage: verdict.usage } : {}),
      });
      last = outcome;
      // A fresh session for a stale one: once, and not counted as a try.
      if (verdict.again && fresh === 0) {
        fresh += 1;
        n -= 1;
        continue;
      }
      if (outcome.status !== 'failed' || !retry || n === tries) break;
      if (!(await pause(sleep, config.backoffMs * 2 ** (n - 1), request.signal))) {
        return withUsage({ status: 'failed', reason: 'cancelled: the run left the step' });
      }
    }
    if (last.status === 'failed' && n > 1) {
      return withUsage({ status: 'failed', reason: `${last.reason}\n(after ${n} tries)` });
    }
    return withUsage(last);
  };
}
