import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startResponder, stopProcess } from '../../bench/lib/processes.js';
import type { WorkspacePaths } from '../../src/workspace/paths.js';
import { HANDOFF_BODY, drop, tempWorkspace } from './helpers.js';

/** Changing a running process's open-files limit (the soft one, within its hard limit) needs prlimit(1) (util-linux) and Linux's /proc. */
const canLimit = spawnSync('prlimit', ['--version']).status === 0 && readdirSync('/proc/self/fd').length > 0;
if (!canLimit) console.warn('skipping the out-of-files tests: this machine has no prlimit(1) or no /proc');

const ENGINEER = 'backend-engineer';
const RUNS = 30;

const openFiles = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;
/** Open files of the process less the run journals it keeps open for speed (and would close to make room). */
const neededFiles = (pid: number, runsDir: string): number =>
  readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    const target = (() => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    })();
    return !(target.startsWith(`${runsDir}/`) && target.endsWith('/journal.jsonl'));
  }).length;
const setLimit = (pid: number, n: number): void => void execFileSync('prlimit', ['--pid', String(pid), `--nofile=${n}:`]);
/** CPU time the process used so far, in clock ticks (utime + stime from /proc). */
const cpuTicks = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
const TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

async function waitFor(cond: () => boolean | Promise<boolean>, what: string, log: () => string): Promise<void> {
  for (let i = 0; i < 4800; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting for ${what}; the engine said:\n${log().slice(-3000)}`);
}

/** Each PLAN for the tasks, counted in the conductor's new/ by task. */
async function plansByTask(paths: WorkspacePaths): Promise<Map<string, number>> {
  const dir = paths.inbox('conductor').new;
  const out = new Map<string, number>();
  for (const name of await fs.readdir(dir)) {
    if (name.startsWith('.')) continue;
    const text = await fs.readFile(path.join(dir, name), 'utf8');
    const task = /\[TASK: ([^\]]+)\]/.exec(text)?.[1];
    if (task && text.includes('[TYPE: PLAN]')) out.set(task, (out.get(task) ?? 0) + 1);
  }
  return out;
}

/** The lines saying a fault is waited out, per kind of work. */
function faultLines(log: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of log.matchAll(/warning: (.+?) (?:is|still) waiting: too many files are open/g)) out.set(m[1]!, (out.get(m[1]!) ?? 0) + 1);
  return out;
}

/**
 * Starts the engine process and lets it take one run through to its PLAN, so the steps'
 * code (loaded on first use) is in: Node keeps an import that failed for want of a file
 * handle failed, so these tests lower the limit only once it is loaded.
 */
async function warmEngine(paths: WorkspacePaths): Promise<{ child: ChildProcess; log: () => string }> {
  const { child } = await startResponder('engine', paths.root);
  let log = '';
  child.stdout!.on('data', (b: Buffer) => (log += b.toString()));
  await drop(paths, ENGINEER, { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 'warm', body: HANDOFF_BODY });
  await waitFor(async () => (await plansByTask(paths)).has('warm'), 'the first PLAN', () => log);
  return { child, log: () => log };
}

async function handoffs(paths: WorkspacePaths, prefix: string): Promise<void> {
  for (let i = 1; i <= RUNS; i++) await drop(paths, ENGINEER, { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: `${prefix}${i}`, body: HANDOFF_BODY });
}

/** Every run's PLAN delivered and every HANDOFF moved out of new/ (acknowledged once journaled). */
async function drained(paths: WorkspacePaths): Promise<boolean> {
  const inNew = (await fs.readdir(paths.inbox(ENGINEER).new)).filter((n) => !n.startsWith('.'));
  return inNew.length === 0 && (await plansByTask(paths)).size === RUNS + 1;
}

async function expectEveryRunOnce(paths: WorkspacePaths, prefix: string): Promise<void> {
  const plans = await plansByTask(paths);
  for (let i = 1; i <= RUNS; i++) expect(plans.get(`${prefix}${i}`), `${prefix}${i}`).toBe(1);
  expect(plans.get('warm')).toBe(1);
  expect(await fs.readdir(paths.inbox(ENGINEER).rejected)).toEqual([]);
  expect((await fs.readdir(paths.inbox(ENGINEER).new)).filter((n) => !n.startsWith('.'))).toEqual([]);
}

describe.skipIf(!canLimit)('an engine process out of file handles (EMFILE under a lowered open-files limit)', () => {
  it('says so once, waits without spinning, loses nothing, and goes on by itself once the limit is raised', { timeout: 240_000 }, async () => {
    const paths = await tempWorkspace('instant', (c) => (c.scanIntervalMs = 200));
    const { child, log } = await warmEngine(paths);
    const pid = child.pid!;
    try {
      // Not one more file can be opened, even once the engine closed the journals it keeps open: the inbox cannot even be listed.
      setLimit(pid, neededFiles(pid, paths.runsDir) - 1);
      await handoffs(paths, 'x');
      await waitFor(() => /is waiting: too many files are open in this process \(EMFILE/.test(log()), 'the fault to be said', log);
      const start = log().length;
      const ticks = cpuTicks(pid);
      const t0 = Date.now();
      await new Promise((r) => setTimeout(r, 6000));
      const seconds = (Date.now() - t0) / 1000;
      // Waiting, not spinning: well under half a core over the wait.
      expect((cpuTicks(pid) - ticks) / TICKS_PER_S).toBeLessThan(seconds / 2);
      // Said again at most every 5 s per kind of work.
      for (const [work, n] of faultLines(log().slice(start))) expect(n, work).toBeLessThanOrEqual(Math.ceil(seconds / 5) + 1);
      // Held up, not dropped: the runs wait in the inbox.
      expect((await plansByTask(paths)).size).toBeLessThan(RUNS + 1);
      setLimit(pid, 4096);
      await waitFor(() => drained(paths), 'every PLAN once the limit is raised', log);
      await waitFor(() => /goes on: EMFILE cleared/.test(log()), 'the end of the fault to be said', log);
      await expectEveryRunOnce(paths, 'x');
    } finally {
      await stopProcess(child);
    }
  });

  it('goes on by itself under a limit that leaves only a few handles free, as the messages drain', { timeout: 240_000 }, async () => {
    const paths = await tempWorkspace('instant', (c) => (c.scanIntervalMs = 200));
    const { child, log } = await warmEngine(paths);
    const pid = child.pid!;
    try {
      // A few handles for everything: the journals the engine keeps open for speed, the
      // write-ahead log, the inbox, deliveries, snapshots and task files.
      setLimit(pid, openFiles(pid) + 6);
      await handoffs(paths, 'y');
      await waitFor(() => drained(paths), 'every PLAN under the low limit', log);
      await expectEveryRunOnce(paths, 'y');
      expect(log()).toMatch(/too many files are open in this process/);
      // Each reply held is said by the fault gate, not warned about one by one; no run needs a restart.
      expect(log().match(/.*(warning: could not deliver|restart the engine|until the engine restarts).*/g) ?? []).toEqual([]);
      // No task is left in_progress for want of a handle, and no run skipped reading the agent log.
      expect(log()).not.toMatch(/read-log failed|could not mark it/);
      for (const [work, n] of faultLines(log())) expect(n, work).toBeLessThan(RUNS);
    } finally {
      await stopProcess(child);
    }
  });
});
