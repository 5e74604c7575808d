import { promises as fs } from 'node:fs';
import { benchWorkspace, memoryOf, startResponder, stopProcess } from './processes.js';
import { makeIdleRuns } from './resume.js';
import { summarize } from './args.js';

/** Start and resume figures of `teamstate start --headless`. */
export interface StartupFigures {
  /** Spawn to READY on a fresh workspace, median of the tries (ms). */
  startMs: number;
  startTries: number[];
  /** Resident set just after READY with no runs (bytes). */
  rssEmptyBytes: number;
  idleRuns: number;
  /** Spawn to READY with `idleRuns` unfinished runs to recover, median (ms). */
  resumeMs: number;
  resumeTries: number[];
  rssIdleBytes: number;
  /** (rssIdle − rssEmpty) / idleRuns. */
  bytesPerIdleRun: number;
}

const TRIES = 5;
/** Lets the process finish what READY left running (watcher setup, first timers) before RSS is read. */
const SETTLE_MS = 500;

async function startOnce(dir: string): Promise<{ ms: number; rss: number }> {
  const started = await startResponder('engine', dir);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const rss = memoryOf(started.child.pid!).rss;
  await stopProcess(started.child);
  return { ms: started.readyMs, rss };
}

/**
 * Times `teamstate start --headless` to READY on an empty workspace and on one holding
 * `idleRuns` persisted unfinished runs (each waiting on the conductor), and reads the
 * engine's resident set in both, for the memory an idle run costs.
 */
export async function startupFigures(idleRuns: number): Promise<StartupFigures> {
  const empty = await benchWorkspace('start');
  const emptyTries: { ms: number; rss: number }[] = [];
  for (let i = 0; i < TRIES; i++) emptyTries.push(await startOnce(empty.root));

  const busy = await benchWorkspace('resume');
  await makeIdleRuns(busy, idleRuns);
  const busyTries: { ms: number; rss: number }[] = [];
  for (let i = 0; i < TRIES; i++) busyTries.push(await startOnce(busy.root));
  await fs.rm(empty.root, { recursive: true, force: true });
  await fs.rm(busy.root, { recursive: true, force: true });

  const rssEmpty = summarize(emptyTries.map((t) => t.rss)).p50;
  const rssIdle = summarize(busyTries.map((t) => t.rss)).p50;
  return {
    startMs: summarize(emptyTries.map((t) => t.ms)).p50,
    startTries: emptyTries.map((t) => Math.round(t.ms)),
    rssEmptyBytes: rssEmpty,
    idleRuns,
    resumeMs: summarize(busyTries.map((t) => t.ms)).p50,
    resumeTries: busyTries.map((t) => Math.round(t.ms)),
    rssIdleBytes: rssIdle,
    bytesPerIdleRun: (rssIdle - rssEmpty) / idleRuns,
  };
}
