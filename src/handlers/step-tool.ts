import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { RunOnceResult } from './run-command.js';
import { tail } from './step-files.js';
import type { StepFiles } from './step-files.js';
import type { Usage } from './llm/usage.js';
import type { StepOutcome, StepRequest } from './types.js';

/** "1.5s", "2m 30s": how long, for a person. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${m}m ${s}s` : `${m}m`;
}

export function readText(path: string): Promise<string> {
  return existsSync(path) ? readFile(path, 'utf8') : Promise.resolve('');
}

/** What a try runs: the argv and the text on its stdin. */
export interface TryPlan {
  argv: string[];
  stdin: string;
  /** The CLI session the try works in, for attempts.jsonl. */
  session?: string;
}

/** What one try means for the step, whether trying again could help, and what it used. */
export interface TryVerdict {
  outcome: StepOutcome;
  retry: boolean;
  usage?: Usage;
  /** Try again at once, without counting it against `retries` (a fresh session replaced a stale one). */
  again?: boolean;
}

/**
 * How a command step's tries are made and read: a plain program (stdout is the result), or
 * an LLM CLI preset (its machine output is parsed, its session kept).
 */
export interface StepTool {
  /** The next try, or an outcome when the step must not run (the budget is spent). */
  plan(n: number, request: StepRequest, prompt: string, spentUsd: number): Promise<TryPlan | StepOutcome>;
  judge(run: RunOnceResult, files: StepFiles, request: StepRequest): Promise<TryVerdict>;
  /** Watches the try's output while it runs; returns the function that stops watching. */
  watch?(files: StepFiles, request: StepRequest): () => Promise<void>;
  /** The preset, for readers of the live output. */
  preset?: string;
}

/** A try that could not start, was cancelled or timed out, judged the same way for every tool. */
export async function judgeEnd(run: RunOnceResult, files: StepFiles, program: string, step: string, timeoutMs: number): Promise<TryVerdict | undefined> {
  const stderr = tail(await readText(files.stderr));
  if (run.spawnError) {
    return { outcome: { status: 'failed', reason: `could not start \`${program}\`: ${run.spawnError}; check steps.${step}.argv and the project directory` }, retry: false };
  }
  if (run.aborted) return { outcome: { status: 'failed', reason: 'cancelled: the run left the step' }, retry: false };
  if (run.timedOut) {
    const reason = `timed out after ${formatDuration(timeoutMs)}`;
    return { outcome: { status: 'failed', reason: stderr ? `${reason}; stderr:\n${stderr}` : reason }, retry: true };
  }
  return undefined;
}

