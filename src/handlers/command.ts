import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import type { HandlerConfig } from '../workspace/config-schema.js';
import { noteEnded, noteRunning } from './leftovers.js';
import { renderPrompt } from './prompts.js';
import type { PromptSources } from './prompts.js';
import { runOnce } from './run-command.js';
import type { RunOnceResult } from './run-command.js';
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
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** "1.5s", "2m 30s": how long, for a person. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${m}m ${s}s` : `${m}m`;
}

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

async function readText(path: string): Promise<string> {
  return existsSync(path) ? readFile(path, 'utf8') : '';
}

/** What one try means for the step, and whether trying again could help. */
async function judge(
  run: RunOnceResult,
  files: StepFiles,
  config: CommandHandlerConfig,
  step: string,
): Promise<{ outcome: StepOutcome; retry: boolean }> {
  const program = config.argv[0];
  const stderr = tail(await readText(files.stderr));
  const withTail = (reason: string) => (stderr ? `${reason}; stderr:\n${stderr}` : reason);
  if (run.spawnError) {
    return { outcome: { status: 'failed', reason: `could not start \`${program}\`: ${run.spawnError}; check steps.${step}.argv and the project directory` }, retry: false };
  }
  if (run.aborted) return { outcome: { status: 'failed', reason: 'cancelled: the run left the step' }, retry: false };
  if (run.timedOut) {
    return { outcome: { status: 'failed', reason: withTail(`timed out after ${formatDuration(config.timeoutMs)}`) }, retry: true };
  }
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
  return async (request) => {
    let prompt: string;
    try {
      prompt = await renderPrompt(request, deps.prompts);
    } catch (e) {
      return { status: 'failed', reason: `could not render the ${request.step} prompt: ${(e as Error).message}` };
    }
    const files = await writeStepInputs(request, prompt);
    const env = stepEnv(request, files, config);
    const tries = config.retries + 1;
    let last: StepOutcome = { status: 'failed', reason: 'cancelled before it started' };
    let tried = 0;
    for (let n = 1; n <= tries; n++) {
      tried = n;
      if (request.signal.aborted) return { status: 'failed', reason: 'cancelled: the run left the step' };
      // A result file from an earlier try must not pass for this one's.
      await rm(files.output, { force: true });
      const startedAt = new Date(now()).toISOString();
      const run = await runOnce({
        argv: config.argv,
        cwd: request.projectDir,
        env,
        stdin: prompt,
        stdoutPath: files.stdout,
        stderrPath: files.stderr,
        timeoutMs: config.timeoutMs,
        graceMs,
        signal: request.signal,
        now,
        onSpawn: (pid) => noteRunning(files.dir, pid, config.argv, now()),
      });
      noteEnded(files.dir);
      const { outcome, retry } = await judge(run, files, config, request.step);
      await appendAttempt(files, {
        try: n,
        startedAt,
        argv: config.argv,
        ...(run.pid !== undefined ? { pid: run.pid } : {}),
        exitCode: run.exitCode,
        signal: run.signal,
        durationMs: run.durationMs,
        timedOut: run.timedOut,
        aborted: run.aborted,
        outcome: outcome.status,
        ...(outcome.status !== 'done' ? { reason: outcome.reason } : {}),
      });
      last = outcome;
      if (outcome.status !== 'failed' || !retry || n === tries) break;
      if (!(await pause(sleep, config.backoffMs * 2 ** (n - 1), request.signal))) {
        return { status: 'failed', reason: 'cancelled: the run left the step' };
      }
    }
    if (last.status === 'failed' && tried > 1) {
      return { status: 'failed', reason: `${last.reason}\n(after ${tried} tries)` };
    }
    return last;
  };
}
