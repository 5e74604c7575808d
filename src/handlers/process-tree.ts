import { readdirSync, readFileSync } from 'node:fs';

/** A process as /proc describes it: enough to tell a live process from a zombie. */
interface ProcStat {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  /** Clock ticks after boot when it started: with the pid, names one process for good. */
  startTicks: number;
}

const hasProc = process.platform === 'linux';

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself hold spaces or parentheses.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0] ?? '?', ppid: Number(rest[1]), pgid: Number(rest[2]), startTicks: Number(rest[19]) };
  } catch {
    return undefined;
  }
}

function allStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) out.push(stat);
  }
  return out;
}

/**
 * Whether a process is running. A zombie counts as gone: it has exited and only waits to
 * be reaped, which an init that does not reap (some containers) may never do.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (!hasProc) return true;
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/**
 * When a process started (Linux: clock ticks after boot), so a pid written down before a
 * crash can be told from a new process that reuses it. Undefined elsewhere or when gone.
 */
export function processStartTicks(pid: number): number | undefined {
  return hasProc ? readStat(pid)?.startTicks : undefined;
}

/** Whether any process of the group is still running (zombies do not count). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (!hasProc) return true;
  return allStats().some((s) => s.pgid === pgid && s.state !== 'Z');
}

/** Children of `ppid` that have exited but were not reaped (used by tests to find leaks). */
export function zombieChildren(ppid: number): number[] {
  if (!hasProc) return [];
  return allStats()
    .filter((s) => s.ppid === ppid && s.state === 'Z')
    .map((s) => s.pid);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitGroupGone(pgid: number, ms: number): Promise<boolean> {
  const polls = Math.max(1, Math.ceil(ms / 25));
  for (let i = 0; i < polls; i++) {
    if (!groupAlive(pgid)) return true;
    await pause(25);
  }
  return !groupAlive(pgid);
}

/**
 * Ends a whole process group: SIGTERM, then SIGKILL to whatever is left after `graceMs`,
 * then waits (bounded) until no member runs. Resolves once the group is gone or the wait
 * gave up; never throws.
 */
export async function killGroup(pgid: number, graceMs: number): Promise<void> {
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, 'SIGTERM');
  if (await waitGroupGone(pgid, graceMs)) return;
  signalGroup(pgid, 'SIGKILL');
  await waitGroupGone(pgid, 5_000);
}
