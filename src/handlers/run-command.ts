import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { killGroup } from './process-tree.js';

/** One run of a command, start to end. */
export interface RunOnceOptions {
  /** Program and arguments, passed to the OS as they are: no shell ever sees them. */
  argv: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Written to the command's stdin, which is then closed. */
  stdin: string;
  stdoutPath: string;
  stderrPath: string;
  /** 0: no limit. */
  timeoutMs: number;
  /** Time between SIGTERM and SIGKILL when the group must end. */
  graceMs: number;
  signal: AbortSignal;
  now: () => number;
  /** Told the pid (= process group id) once the command runs, before it can end. */
  onSpawn?: (pid: number) => void;
}

export interface RunOnceResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
  /** Set when the program could not be started at all (not found, not executable, bad cwd). */
  spawnError?: string;
  pid?: number;
}

/**
 * Runs a command in its own process group, with stdout and stderr going straight to files
 * (so a grandchild holding them open cannot keep us waiting). On timeout or abort the
 * whole group is ended; after a normal exit, leftovers of the group are ended too.
 */
export async function runOnce(o: RunOnceOptions): Promise<RunOnceResult> {
  const started = o.now();
  const base = { exitCode: null, signal: null, timedOut: false, aborted: false };
  if (o.signal.aborted) return { ...base, aborted: true, durationMs: 0 };
  const [program, ...args] = o.argv;
  if (program === undefined) return { ...base, durationMs: 0, spawnError: 'empty argv' };

  const out = openSync(o.stdoutPath, 'w');
  const err = openSync(o.stderrPath, 'w');
  let child;
  try {
    child = spawn(program, args, { cwd: o.cwd, env: o.env, detached: true, stdio: ['pipe', out, err], shell: false });
  } catch (e) {
    return { ...base, durationMs: o.now() - started, spawnError: (e as Error).message };
  } finally {
    closeSync(out);
    closeSync(err);
  }

  let timedOut = false;
  let aborted = false;
  let killing: Promise<void> | undefined;
  const pid = child.pid;
  try {
    if (pid !== undefined) o.onSpawn?.(pid);
  } catch {
    // Only crash recovery needs the note; the run itself goes on.
  }
  const endGroup = () => {
    if (pid !== undefined && !killing) killing = killGroup(pid, o.graceMs);
  };

  const ended = new Promise<{ code: number | null; sig: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, sig: null, error }));
    child.once('exit', (code, sig) => resolve({ code, sig }));
  });
  // A command that never reads stdin closes it early: that is not our failure.
  child.stdin?.on('error', () => {});
  child.stdin?.end(o.stdin);

  const timer = o.timeoutMs > 0 ? setTimeout(() => ((timedOut = true), endGroup()), o.timeoutMs) : undefined;
  const onAbort = () => ((aborted = true), endGroup());
  o.signal.addEventListener('abort', onAbort, { once: true });

  const end = await ended;
  if (timer) clearTimeout(timer);
  o.signal.removeEventListener('abort', onAbort);
  if (end.error) {
    return { ...base, durationMs: o.now() - started, spawnError: end.error.message };
  }
  // Grandchildren left behind (or still ignoring SIGTERM) go with the step.
  endGroup();
  await killing;
  return { exitCode: end.code, signal: end.sig, timedOut, aborted, durationMs: o.now() - started, ...(pid !== undefined ? { pid } : {}) };
}
