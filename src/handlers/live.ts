import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningRecord } from './leftovers.js';
import { PRESETS } from './llm/presets.js';
import type { PresetName } from './llm/presets.js';
import { stepFiles } from './step-files.js';
import type { AttemptRecord } from './step-files.js';

/** What a person sees of a command step while it runs: its try, its time, its last output. */
export interface LiveStep {
  /** Set while a try runs. */
  running?: { try: number; startedAt: number; timeoutMs: number; pid: number };
  /** The last lines of the running try's output, made readable for stream output. */
  tail: string[];
  /** Tries that failed so far, with their reasons. */
  failed: { try: number; reason: string }[];
}

const TAIL_BYTES = 16 * 1024;

async function lastBytes(path: string, bytes: number): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - bytes);
    const buf = Buffer.alloc(size - start);
    await handle.read(buf, 0, buf.length, start);
    const text = buf.toString('utf8');
    // A cut first line is not shown.
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    await handle.close();
  }
}

/** The readable lines of a try's output: stream events through the preset's reader, plain text as it is. */
export function liveLines(text: string, preset: string | undefined, lines = 5): string[] {
  const reader = preset && preset in PRESETS ? PRESETS[preset as PresetName].liveLine : undefined;
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (!reader || !line.startsWith('{')) {
      out.push(line);
      continue;
    }
    try {
      const shown = reader(JSON.parse(line));
      if (shown) out.push(shown);
    } catch {
      // A torn last line: the next read shows it whole.
    }
  }
  return out.slice(-lines);
}

/** A step folder's live state (`running.json`, `attempts.jsonl`, `stdout.txt`); never throws. */
export async function readLive(dir: string, lines = 5): Promise<LiveStep> {
  const files = stepFiles(dir);
  const running = await readFile(join(dir, 'running.json'), 'utf8')
    .then((t) => JSON.parse(t) as RunningRecord)
    .catch(() => undefined);
  const attempts = await readFile(files.attempts, 'utf8')
    .then((t) => t.split('\n').filter(Boolean).map((l) => JSON.parse(l) as AttemptRecord))
    .catch(() => [] as AttemptRecord[]);
  const failed = attempts.filter((a) => a.outcome === 'failed').map((a) => ({ try: a.try, reason: a.reason ?? 'failed' }));
  const tail = running ? liveLines(await lastBytes(files.stdout, TAIL_BYTES), running.preset, lines) : [];
  return {
    ...(running ? { running: { try: running.try ?? attempts.length + 1, startedAt: Date.parse(running.startedAt), timeoutMs: running.timeoutMs ?? 0, pid: running.pid } } : {}),
    tail,
    failed,
  };
}
