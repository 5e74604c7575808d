import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { machines } from '../../machines/index.js';
import { readJournal, readRunStates } from '../../src/engine/read.js';
import { replay } from '../../src/engine/replay.js';
import type { RunState } from '../../src/engine/run-state.js';
import { Engine } from '../../src/engine/engine.js';
import { ScriptedTeam } from '../../src/sim/scripted-team.js';
import { loadConfig } from '../../src/workspace/config.js';
import { initWorkspace } from '../../src/workspace/init.js';
import { WorkspacePaths } from '../../src/workspace/paths.js';
import type { Consuming } from './consumers.js';
import { ConsumingPeers } from './consumers.js';
import { cliPath } from './processes.js';

export interface CrashTrialOptions {
  /** SIGKILLs to deliver. */
  kills: number;
  /** Concurrent runs (tasks) driven through the full lifecycle. */
  runs: number;
  /**
   * Lifecycles in all, driven in waves of `runs` (the next wave starts when one ends), so
   * that many kills land mid-lifecycle. @default runs (one wave)
   */
  lifecycles?: number;
  /** Seeds the kill instants: the same seed, the same schedule. */
  seed: number;
  /** A kill lands this long after the engine was started (ms), uniformly. */
  killWindow?: [number, number];
  /**
   * Peers that take their mail out of new/ at once: the conductor moves each message into
   * its cur/ under another name, sentinel reads and deletes it. @default true
   */
  consumers?: boolean;
  log?: (line: string) => void;
}

export interface CrashTrialReport {
  seed: number;
  kills: number;
  restarts: number;
  messagesIn: number;
  messagesOut: number;
  lost: number;
  duplicated: number;
  corrupted: number;
  /** Runs whose final state differs from the uninterrupted baseline. */
  diverged: number;
  /** Start-to-READY of each restart (ms). */
  recoveryMs: number[];
  problems: string[];
  /** Kills that landed while some run was still mid-lifecycle (the rest hit an engine with nothing left to do). */
  killsMidLifecycle?: number;
  /** Replies the consuming peers took out of new/ (moved, deleted). */
  consumed?: { moved: number; deleted: number };
}

/** The consuming peers of the crash trials: one that moves its mail, one that deletes it. */
export const CONSUMERS: Record<string, Consuming> = { conductor: 'move', sentinel: 'delete' };

/** mulberry32: a small seeded PRNG, so a failing schedule can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function workspace(tag: string, runs: number): Promise<{ paths: WorkspacePaths; tasks: string[] }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `teamstate-${tag}-`));
  await initWorkspace(dir, { preset: 'instant' });
  const paths = new WorkspacePaths(dir);
  const text = await fs.readFile(paths.configFile, 'utf8');
  // Fast scans and a project folder of the workspace's own; fsync stays on. The agent log's
  // rules never fire: which earlier tasks they cite depends on the order runs finished in,
  // which concurrency (not a crash) decides, so later waves could not match the baseline.
  const config = text
    .replace(/"scanIntervalMs":\s*\d+/, '"scanIntervalMs": 50')
    .replace(/\/\/\s*"project":[^\n]*/, '"project": "project",')
    .replace(/("(?:layerViolationTasks|injectionTasks|rejectedPlanTasks|repeatedBugClassTasks)":\s*)\d+/g, (_, key: string) => `${key}1000000`);
  await fs.writeFile(paths.configFile, config);
  await fs.mkdir(path.join(dir, 'project'), { recursive: true });
  return { paths, tasks: Array.from({ length: runs }, (_, i) => `task-${i + 1}`) };
}

/**
 * What an uninterrupted engine makes of the same scenario, in the same waves (a later
 * wave's runs read the agent log the earlier ones wrote): final contexts and message counts.
 */
async function baseline(lifecycles: number, waveSize: number): Promise<{ contexts: Map<string, unknown>; outbox: Map<string, number> }> {
  const { paths, tasks } = await workspace('baseline', lifecycles);
  const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
  const team = new Waves(paths, tasks, waveSize);
  try {
    for (let i = 0; !(await team.tick()); i++) {
      if (i > 10_000 * Math.ceil(lifecycles / waveSize)) throw new Error('the baseline did not finish');
      await engine.scan();
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    await engine.stop();
  }
  const contexts = new Map((await readRunStates(paths)).map((s) => [s.runId, s.snapshot.context]));
  const outbox = await outboxCounts(paths);
  await fs.rm(paths.root, { recursive: true, force: true });
  return { contexts, outbox };
}

/** Delivered messages by recipient, task and type (in new/, cur/, or read and deleted). */
async function outboxCounts(paths: WorkspacePaths, deleted: { to: string; text: string }[] = []): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { to, text } of deleted) {
    const key = `${to} ${/\[TASK: ([^\]]+)\]/.exec(text)?.[1]} ${/\[TYPE: ([A-Z_]+)\]/.exec(text)?.[1]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const member of ['conductor', 'sentinel', 'breaker', 'librarian', 'analyst']) {
    const inbox = paths.inbox(member);
    for (const dir of [inbox.new, inbox.cur]) {
      for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
        if (name.startsWith('.')) continue;
        const text = await fs.readFile(path.join(dir, name), 'utf8');
        const key = `${member} ${/\[TASK: ([^\]]+)\]/.exec(text)?.[1]} ${/\[TYPE: ([A-Z_]+)\]/.exec(text)?.[1]}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
  }
  return counts;
}

function startEngine(cli: string, dir: string): { child: ChildProcess; ready: Promise<number>; output: () => string } {
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, 'start', '--headless', '--workspace', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const ready = new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('READY')) resolve(performance.now() - t0);
      if (out.length > 1e5) out = out.slice(-1e4);
    });
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code, signal) => reject(new Error(`engine exited before READY (code ${code}, ${signal}): ${err.slice(-500)}`)));
  });
  ready.catch(() => undefined);
  let all = '';
  child.stdout!.on('data', (b: Buffer) => (all = (all + b.toString()).slice(-20_000)));
  child.stderr!.on('data', (b: Buffer) => (all = (all + b.toString()).slice(-20_000)));
  return { child, ready, output: () => all };
}

const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));

/**
 * Drives `runs` full lifecycles through the inbox folders against `teamstate start
 * --headless` in a child process, SIGKILLs it at seeded random instants and restarts it,
 * then checks: every run ends as the uninterrupted baseline did, every inbound message was
 * applied exactly once, every expected message was delivered exactly once, every journal
 * reads and replays.
 */
export async function runCrashTrials(opts: CrashTrialOptions): Promise<CrashTrialReport> {
  const log = opts.log ?? (() => undefined);
  const random = prng(opts.seed);
  const [lo, hi] = opts.killWindow ?? [60, 400];
  const cli = cliPath();
  const lifecycles = Math.max(opts.runs, opts.lifecycles ?? opts.runs);
  const base = await baseline(lifecycles, opts.runs);
  const { paths, tasks } = await workspace('crash', lifecycles);
  const peers = new ConsumingPeers(paths, opts.consumers === false ? {} : CONSUMERS);
  const team = new Waves(paths, tasks, opts.runs, () => peers.deleted);
  peers.start();
  const report: CrashTrialReport = { seed: opts.seed, kills: 0, restarts: 0, messagesIn: 0, messagesOut: 0, lost: 0, duplicated: 0, corrupted: 0, diverged: 0, recoveryMs: [], problems: [] };

  let done = false;
  let finished = false;
  const driving = (async () => {
    while (!done) {
      if (await team.tick()) {
        finished = true;
        return;
      }
      await new Promise((r) => setTimeout(r, 15));
    }
  })();

  let engine = startEngine(cli, paths.root);
  while (report.kills < opts.kills) {
    const at = lo + random() * (hi - lo);
    await new Promise((r) => setTimeout(r, at));
    engine.child.kill('SIGKILL');
    await exited(engine.child);
    report.kills += 1;
    if (!finished) report.killsMidLifecycle = (report.killsMidLifecycle ?? 0) + 1;
    engine = startEngine(cli, paths.root);
    report.restarts += 1;
    engine.ready.then((ms) => report.recoveryMs.push(ms)).catch(() => undefined);
  }
  log(`${report.kills} kills delivered; letting the runs finish`);
  await engine.ready;
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  // Told by the timer itself: it may fire a millisecond before Date.now() says the time is up.
  await Promise.race([driving, new Promise<void>((r) => (timer = setTimeout(() => ((timedOut = true), r()), 180_000)))]);
  clearTimeout(timer);
  done = true;
  if (timedOut && !finished) {
    const stuck = team.progress().filter((p) => p.stage < p.stages);
    const states = (await readRunStates(paths)).map((s) => `${s.runId}: ${JSON.stringify(s.snapshot.value)} steps ${Object.keys(s.steps).join(',')} undelivered ${s.undelivered.length}`);
    report.problems.push(`the runs did not finish within 3 minutes after the last kill: ${stuck.map((p) => `${p.task} at "${p.label}"`).join(', ')}; runs: ${states.join('; ')}; engine said: ${engine.output().slice(-1500)}`);
  }
  engine.child.kill('SIGTERM');
  await exited(engine.child);
  await peers.stop();
  if (opts.consumers !== false) report.consumed = { moved: peers.taken.move, deleted: peers.taken.delete };

  await check(paths, tasks, team, base, report, peers.deleted);
  // A clean trial's workspace goes; one that found something is kept for a look.
  if (report.lost + report.duplicated + report.corrupted + report.diverged === 0 && report.problems.length === 0) await fs.rm(paths.root, { recursive: true, force: true });
  else log(`the trial's workspace is kept for a look: ${paths.root}`);
  return report;
}

/** Scripted teams over consecutive slices of the tasks: the next starts when the one before is done. */
class Waves {
  private readonly teams: ScriptedTeam[] = [];
  private at = 0;

  constructor(paths: WorkspacePaths, tasks: string[], size: number, gone?: () => { to: string; text: string }[]) {
    for (let i = 0; i < tasks.length; i += size) this.teams.push(new ScriptedTeam({ paths, tasks: tasks.slice(i, i + size), conductor: 'scripted', ...(gone ? { gone } : {}) }));
  }

  async tick(): Promise<boolean> {
    while (this.at < this.teams.length && (await this.teams[this.at]!.tick())) this.at += 1;
    return this.at === this.teams.length;
  }

  progress(): ReturnType<ScriptedTeam['progress']> {
    return this.teams.flatMap((t) => t.progress());
  }

  droppedNames(): string[] {
    return this.teams.flatMap((t) => t.droppedNames());
  }
}

async function check(paths: WorkspacePaths, tasks: string[], team: Pick<ScriptedTeam, 'droppedNames'>, base: Awaited<ReturnType<typeof baseline>>, report: CrashTrialReport, deleted: { to: string; text: string }[]): Promise<void> {
  const config = await loadConfig(paths.root);
  const entry = machines[config.engine.machine]!;
  const inbox = paths.inbox(config.engine.member);
  const cur = new Set(await fs.readdir(inbox.cur));
  const dropped = team.droppedNames();
  report.messagesIn = dropped.length;
  for (const name of dropped) if (!cur.has(name)) {
    report.lost += 1;
    report.problems.push(`inbound ${name} was not processed`);
  }
  const rejected = (await fs.readdir(inbox.rejected)).filter((n) => !n.endsWith('.reason.txt'));
  for (const n of rejected) report.problems.push(`inbound ${n} was rejected`);

  const states = new Map<string, RunState>((await readRunStates(paths)).map((s) => [s.runId, s]));
  for (const task of tasks) {
    let records;
    try {
      records = (await readJournal(paths, task)).records;
    } catch (e) {
      report.corrupted += 1;
      report.problems.push(`run ${task}: journal unreadable: ${(e as Error).message}`);
      continue;
    }
    const applied = new Map<string, number>();
    for (const r of records) if (r.kind === 'event' && r.source.kind === 'message') applied.set(r.source.origin, (applied.get(r.source.origin) ?? 0) + 1);
    for (const [file, n] of applied) if (n > 1) {
      report.duplicated += n - 1;
      report.problems.push(`run ${task}: ${file} applied ${n} times`);
    }
    const replayed = replay(entry, config, records);
    if (!replayed.ok) {
      report.corrupted += 1;
      report.problems.push(`run ${task}: replay diverges at ${replayed.seq} (${replayed.what})`);
    }
    const state = states.get(task);
    if (!state || !isDeepStrictEqual(state.snapshot.context, base.contexts.get(task)) || state.snapshot.value !== 'done') {
      report.diverged += 1;
      const ctx = (state?.snapshot.context ?? {}) as Record<string, unknown>;
      const baseCtx = (base.contexts.get(task) ?? {}) as Record<string, unknown>;
      const keys = Object.keys({ ...ctx, ...baseCtx }).filter((k) => !isDeepStrictEqual(ctx[k], baseCtx[k]));
      report.problems.push(`run ${task}: ends ${JSON.stringify(state?.snapshot.value)}, not as the uninterrupted run (differs in ${keys.map((k) => `${k}: ${String(JSON.stringify(ctx[k])).slice(0, 300)} vs ${String(JSON.stringify(baseCtx[k])).slice(0, 300)}`).join('; ')})`);
    }
  }
  const outbox = await outboxCounts(paths, deleted);
  for (const [key, n] of base.outbox) {
    const got = outbox.get(key) ?? 0;
    report.messagesOut += Math.min(got, n);
    if (got < n) report.problems.push(`outbox ${key}: ${got} of ${n} delivered`);
    if (got > n) {
      report.duplicated += got - n;
      report.problems.push(`outbox ${key}: ${got} delivered, expected ${n}`);
    }
  }
  for (const [key, n] of outbox) if (!base.outbox.has(key)) report.problems.push(`outbox ${key}: ${n} unexpected`);
}
