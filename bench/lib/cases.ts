// The benchmark's cases (issue #11), each run for one responder on a fresh workspace and a
// fresh process, black-box: the driver's drops and replies, /proc for memory, READY for start.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DriverResult } from '../driver.js';
import { summarize } from './args.js';
import { heapSnapshotArgs, liveHeapBytes } from './heap.js';
import { benchWorkspace, cpuMsOf, memoryOf, runScript, seedPeer, startResponder, stopProcess, type ResponderKind, type Started } from './processes.js';
import { makeIdleRuns, MID_STEP_EVERY } from './resume.js';

/** How big each case is (the full run's, or `--quick`'s). */
export interface CaseSizes {
  /** Concurrent runs of the load case, and lifecycles driven at that concurrency. */
  loadConcurrency: number;
  loadRuns: number;
  /** Lifecycles one after another. */
  serialRuns: number;
  /**
   * Long-lived engine: rounds of finished lifecycles, and the concurrency and count of each;
   * the growth is measured after the first `longWarmup` rounds (V8 is still compiling the
   * engine's code through its first 500 lifecycles).
   */
  longRounds: number;
  longWarmup: number;
  longConcurrency: number;
  longRuns: number;
  /** Handoffs dropped at once. */
  burst: number;
  /** Unfinished runs to resume. */
  idleRuns: number;
  /** Starts timed (the median is reported). */
  startTries: number;
  /**
   * Passes of the serial and load cases, each system's taking turns with the others' (the
   * median pass is reported): one pass of the load case lasts a few seconds, and one pass's
   * ratio to the null responder moved between 0.26 and 0.59 in three full runs in one hour.
   */
  passes: number;
  /** A pass longer than this is cut short and reported with what it did (s). */
  deadlineS: number;
}

export const FULL: CaseSizes = { loadConcurrency: 200, loadRuns: 200, serialRuns: 20, longRounds: 6, longWarmup: 2, longConcurrency: 50, longRuns: 250, burst: 5000, idleRuns: 10_000, startTries: 3, passes: 3, deadlineS: 90 };
export const QUICK: CaseSizes = { loadConcurrency: 200, loadRuns: 200, serialRuns: 5, longRounds: 3, longWarmup: 1, longConcurrency: 20, longRuns: 40, burst: 500, idleRuns: 1000, startTries: 1, passes: 1, deadlineS: 60 };

/** A driver pass plus the responder's peak resident set over its life (VmHWM). */
export interface LoadFigures extends DriverResult {
  peakRssBytes: number;
  /** The responder's CPU over the pass, all threads, user + system (ms). */
  responderCpuMs?: number;
  /** Messages/s of each pass, when there were several (this is the median one). */
  passes?: number[];
}

export interface SerialFigures {
  /** One lifecycle on a fresh responder: its four replies. */
  one: DriverResult;
  /** Then `runs` lifecycles one after another on the same responder. */
  serial: DriverResult;
  /** The p50 of `serial` in each pass, when there were several (this is the median one). */
  passes?: number[];
}

/** The pass whose `by` is the median of all (the lower middle of an even count), with every pass's `by`. */
export function medianPass<T>(all: T[], by: (v: T) => number): { pass: T; values: number[] } {
  const values = all.map(by);
  const order = all.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  return { pass: all[order[Math.floor((order.length - 1) / 2)]!]!, values };
}

export interface LongLivedFigures {
  runsPerRound: number;
  /** Lifecycles finished in each round (fewer than runsPerRound when a round hit the deadline). */
  finished: number[];
  /** Rounds before the growth is measured. */
  warmupRounds: number;
  /** Live JS heap after each round, after a full GC (from a heap snapshot; bytes). */
  heapBytes: number[];
  /** Of that, V8's code: bytecode, compiled code and their tables (bytes). */
  codeBytes: number[];
  /** Resident set after each round (bytes): how big the process has grown, garbage included. */
  rssBytes: number[];
  /** What each finished run left behind: {@link growthPerRun} of the live heap. */
  growthPerRunBytes: number;
}

/**
 * The live heap's growth per finished run after the warm-up: the least-squares slope of the
 * heap after each round, from the last warm-up round on, against the runs finished so far
 * (every round after the warm-up counts, not only the first and the last).
 */
export function growthPerRun(heapBytes: number[], finished: number[], warmupRounds: number): number {
  const from = Math.max(0, warmupRounds - 1);
  const xs: number[] = [];
  let done = 0;
  finished.forEach((f) => xs.push((done += f)));
  const x = xs.slice(from);
  const y = heapBytes.slice(from);
  if (x.length < 2 || x.at(-1) === x[0]) return NaN;
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(x);
  const my = mean(y);
  let num = 0;
  let den = 0;
  x.forEach((xi, i) => {
    num += (xi - mx) * (y[i]! - my);
    den += (xi - mx) ** 2;
  });
  return num / den;
}

export interface StartFigures {
  /** Spawn to READY on an empty workspace, median (ms). */
  ms: number;
  tries: number[];
  /** Resident set just after READY with no runs (bytes). */
  rssBytes: number;
}

export interface ResumeFigures {
  runs: number;
  /** Of which mid-step: a step started and not finished (teamstate), or further along the lifecycle (XState peer). */
  midStep: number;
  /** Spawn to READY with `runs` unfinished runs to pick up, median (ms). */
  ms: number;
  tries: number[];
  rssBytes: number;
  /** (rss − empty start's rss) / runs. */
  bytesPerIdleRun: number;
}

/** Lets the process finish what READY left running before its memory is read. */
const SETTLE_MS = 500;
const settle = (ms = SETTLE_MS) => new Promise((r) => setTimeout(r, ms));

async function withResponder<T>(kind: ResponderKind, tag: string, fn: (s: Started, dir: string) => Promise<T>, nodeArgs: string[] = []): Promise<T> {
  const paths = await benchWorkspace(`${kind}-${tag}`);
  try {
    const started = await startResponder(kind, paths.root, nodeArgs);
    try {
      return await fn(started, paths.root);
    } finally {
      await stopProcess(started.child);
    }
  } finally {
    await fs.rm(paths.root, { recursive: true, force: true });
  }
}

const drive = (dir: string, args: string[], sizes: CaseSizes): Promise<DriverResult> => runScript<DriverResult>('driver.ts', ['--workspace', dir, '--deadline', String(sizes.deadlineS), ...args]);

/** N concurrent runs: messages/s, latency, and the responder's peak RSS. */
export function loadCase(kind: ResponderKind, sizes: CaseSizes): Promise<LoadFigures> {
  return withResponder(kind, 'load', async (s, dir) => {
    const cpu0 = cpuMsOf(s.child.pid!);
    const r = await drive(dir, ['--concurrency', String(sizes.loadConcurrency), '--runs', String(sizes.loadRuns)], sizes);
    return { ...r, peakRssBytes: memoryOf(s.child.pid!).peak, responderCpuMs: cpuMsOf(s.child.pid!) - cpu0 };
  });
}

/** One lifecycle, then `serialRuns` one after another, on one fresh responder. */
export function serialCase(kind: ResponderKind, sizes: CaseSizes): Promise<SerialFigures> {
  return withResponder(kind, 'serial', async (_s, dir) => {
    const one = await drive(dir, ['--concurrency', '1', '--runs', '1', '--prefix', 'one'], sizes);
    const serial = await drive(dir, ['--concurrency', '1', '--runs', String(sizes.serialRuns), '--prefix', 'serial'], sizes);
    return { one, serial };
  });
}

/**
 * Rounds of finished lifecycles on one long-lived responder, and after each its live heap
 * (a heap snapshot, taken after a full GC) and RSS. The first round warms the process up
 * (code, caches); growth is counted from there. A round is cut at a third of the deadline
 * and counts what finished.
 */
export async function longLivedCase(kind: ResponderKind, sizes: CaseSizes): Promise<LongLivedFigures> {
  const diag = await fs.mkdtemp(path.join(os.tmpdir(), `teamstate-bench-heap-${kind}-`));
  try {
    return await withResponder(
      kind,
      'long',
      async (s, dir) => {
        const heap: number[] = [];
        const code: number[] = [];
        const rss: number[] = [];
        const finished: number[] = [];
        for (let round = 0; round < sizes.longRounds; round++) {
          const r = await drive(dir, ['--concurrency', String(sizes.longConcurrency), '--runs', String(sizes.longRuns), '--prefix', `long${round}`], { ...sizes, deadlineS: Math.ceil(sizes.deadlineS / 3) });
          finished.push(sizes.longRuns - (r.unfinished ?? 0));
          await settle(1000);
          rss.push(memoryOf(s.child.pid!).rss);
          const live = await liveHeapBytes(s.child.pid!, diag);
          heap.push(live.bytes);
          code.push(live.codeBytes);
        }
        const warmupRounds = Math.min(sizes.longWarmup, sizes.longRounds - 1);
        return { runsPerRound: sizes.longRuns, finished, warmupRounds, heapBytes: heap, codeBytes: code, rssBytes: rss, growthPerRunBytes: growthPerRun(heap, finished, warmupRounds) };
      },
      heapSnapshotArgs(diag),
    );
  } finally {
    await fs.rm(diag, { recursive: true, force: true });
  }
}

/** Handoffs dropped at once: the first PLAN, all of them, peak RSS. */
export function burstCase(kind: ResponderKind, sizes: CaseSizes): Promise<LoadFigures> {
  return withResponder(kind, 'burst', async (s, dir) => {
    const r = await drive(dir, ['--burst', String(sizes.burst)], sizes);
    return { ...r, peakRssBytes: memoryOf(s.child.pid!).peak };
  });
}

async function timedStarts(kind: ResponderKind, dir: string, tries: number): Promise<{ ms: number[]; rss: number[] }> {
  const out = { ms: [] as number[], rss: [] as number[] };
  for (let i = 0; i < tries; i++) {
    const started = await startResponder(kind, dir);
    await settle();
    out.rss.push(memoryOf(started.child.pid!).rss);
    out.ms.push(started.readyMs);
    await stopProcess(started.child);
  }
  return out;
}

/** Spawn to READY on an empty workspace (teamstate: `start --headless`). */
export async function startCase(kind: ResponderKind, sizes: CaseSizes): Promise<StartFigures> {
  const paths = await benchWorkspace(`${kind}-start`);
  try {
    const t = await timedStarts(kind, paths.root, sizes.startTries);
    return { ms: summarize(t.ms).p50, tries: t.ms.map(Math.round), rssBytes: summarize(t.rss).p50 };
  } finally {
    await fs.rm(paths.root, { recursive: true, force: true });
  }
}

/**
 * Spawn to READY with `idleRuns` unfinished runs left by this responder, and the memory
 * they hold. Each try starts on a fresh copy of the seeded workspace, so every try finds
 * the mid-step runs still mid-step.
 */
export async function resumeCase(kind: 'engine' | 'xstate' | 'langgraph', sizes: CaseSizes, empty: StartFigures): Promise<ResumeFigures> {
  const seeded = await benchWorkspace(`${kind}-resume`);
  const n = sizes.idleRuns;
  try {
    if (kind === 'engine') await makeIdleRuns(seeded, n);
    else await seedPeer(kind, seeded.root, n);
    const ms: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < sizes.startTries; i++) {
      const copy = `${seeded.root}-try${i}`;
      await fs.cp(seeded.root, copy, { recursive: true });
      try {
        const t = await timedStarts(kind, copy, 1);
        ms.push(...t.ms);
        rss.push(...t.rss);
      } finally {
        await fs.rm(copy, { recursive: true, force: true });
      }
    }
    const midStep = kind === 'engine' ? Math.floor(n / MID_STEP_EVERY) : kind === 'xstate' ? Math.floor(n / 10) : 0;
    const r = summarize(rss).p50;
    return { runs: n, midStep, ms: summarize(ms).p50, tries: ms.map(Math.round), rssBytes: r, bytesPerIdleRun: (r - empty.rssBytes) / n };
  } finally {
    await fs.rm(seeded.root, { recursive: true, force: true });
  }
}
