import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupAlive, killGroup, processStartTicks } from './process-tree.js';

/** What `running.json` holds while a command runs: enough to end it after a crash. */
export interface RunningRecord {
  pid: number;
  startTicks?: number;
  startedAt: string;
  argv: string[];
  /** Which try of the step this is, and its time limit (0: none): the UI shows both live. */
  try?: number;
  timeoutMs?: number;
  /** The LLM CLI preset, so readers can make the live output readable. */
  preset?: string;
}

const file = (dir: string) => join(dir, 'running.json');

/** Notes the running command in its step folder (synchronously: it must be on disk before we can crash). */
export function noteRunning(dir: string, pid: number, argv: readonly string[], now: number, more: Pick<RunningRecord, 'try' | 'timeoutMs' | 'preset'> = {}): void {
  const startTicks = processStartTicks(pid);
  const record: RunningRecord = { pid, ...(startTicks !== undefined ? { startTicks } : {}), startedAt: new Date(now).toISOString(), argv: [...argv], ...more };
  writeFileSync(file(dir), JSON.stringify(record) + '\n');
}

/** Forgets it once the command's group has ended. */
export function noteEnded(dir: string): void {
  rmSync(file(dir), { force: true });
}

/**
 * Ends what a crashed engine left running in a step folder (and its `format-retry/`): the
 * process group of a command whose `running.json` is still there, when that pid still names
 * the same process (Linux checks its start time; elsewhere nothing is killed, to be safe).
 * Call it before re-running an interrupted step. Returns the pids it ended.
 */
export async function endLeftovers(dir: string, graceMs = 5_000): Promise<number[]> {
  const ended: number[] = [];
  for (const d of [dir, join(dir, 'format-retry')]) {
    if (!existsSync(file(d))) continue;
    let record: RunningRecord | undefined;
    try {
      record = JSON.parse(readFileSync(file(d), 'utf8')) as RunningRecord;
    } catch {
      record = undefined;
    }
    const same = record && record.startTicks !== undefined && processStartTicks(record.pid) === record.startTicks;
    if (record && same && groupAlive(record.pid)) {
      await killGroup(record.pid, graceMs);
      ended.push(record.pid);
    }
    noteEnded(d);
  }
  return ended;
}
