import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepRequest, Usage } from './types.js';

/** Where a step's files live inside its folder (the engine creates the folder). */
export interface StepFiles {
  dir: string;
  context: string;
  prompt: string;
  /** A command may write its result here instead of to stdout. */
  output: string;
  stdout: string;
  stderr: string;
  attempts: string;
}

/** The file names of a step folder. */
export function stepFiles(dir: string): StepFiles {
  return {
    dir,
    context: join(dir, 'context.json'),
    prompt: join(dir, 'prompt.md'),
    output: join(dir, 'output.md'),
    stdout: join(dir, 'stdout.txt'),
    stderr: join(dir, 'stderr.txt'),
    attempts: join(dir, 'attempts.jsonl'),
  };
}

/**
 * Writes what a step is given: `context.json` (the request as data) and `prompt.md`.
 * Whoever does the step (a command, a person) reads these; nothing is passed as shell text.
 */
export async function writeStepInputs(request: StepRequest, prompt: string): Promise<StepFiles> {
  const files = stepFiles(request.dir);
  await mkdir(request.dir, { recursive: true });
  const context = {
    runId: request.runId,
    step: request.step,
    attempt: request.attempt,
    projectDir: request.projectDir,
    ...(request.missingSections ? { missingSections: request.missingSections } : {}),
    input: request.input,
  };
  await writeFile(files.context, JSON.stringify(context, null, 2) + '\n');
  await writeFile(files.prompt, prompt);
  return files;
}

/** One try of a command, as `attempts.jsonl` records it. */
export interface AttemptRecord {
  try: number;
  startedAt: string;
  argv: string[];
  /** The process (and process group) id, so a leftover group can be found after a crash. */
  pid?: number;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  timedOut: boolean;
  aborted: boolean;
  outcome: 'done' | 'failed' | 'needs-person';
  reason?: string;
  /** The LLM CLI session the try worked in. */
  session?: string;
  /** What the try used, read from the CLI's output. */
  usage?: Usage;
}

/** Appends one line per try, so a crash mid-step still leaves the earlier tries on disk. */
export async function appendAttempt(files: StepFiles, record: AttemptRecord): Promise<void> {
  await appendFile(files.attempts, JSON.stringify(record) + '\n');
}

/** The last `lines` non-empty lines of a text, for a reason a person can read. */
export function tail(text: string, lines = 5): string {
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(-lines)
    .join('\n');
}
