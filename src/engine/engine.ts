import { randomUUID } from 'node:crypto';
import type { MachineEntry } from '../../machines/entry.js';
import { UserError } from '../errors.js';
import type { ManualSteps } from '../handlers/manual.js';
import { createManualHandler } from '../handlers/manual.js';
import type { StepHandler, StepOutcome } from '../handlers/types.js';
import type { Message } from '../protocol/schema.js';
import { acquireLock } from '../store/lock.js';
import type { LockHandle } from '../store/lock.js';
import { firstScanFailed } from './faults.js';
import { LockWatch } from './lock-watch.js';
import { createFolderMailbox } from '../mailbox/folder/index.js';
import type { Mailbox, Watch } from '../mailbox/port.js';
import { openRunStore } from '../store/open.js';
import type { Config, StepName } from '../workspace/config-schema.js';
import { loadConfig } from '../workspace/config.js';
import { ensureLayout } from '../workspace/init.js';
import { WorkspacePaths } from '../workspace/paths.js';
import type { ProjectInfo } from '../workspace/project.js';
import { ensureProject, projectOf } from '../workspace/project.js';
import { contentProblem } from '../workspace/message-rules.js';
import { checkAddresses } from '../workspace/team.js';
import { applyControl, drainControls } from './actions.js';
import { watchConfig } from './config-watch.js';
import { watchControls } from './control.js';
import { RunCore, type RunStoreOf } from './core.js';
import { Intake } from './intake.js';
import { LazySteps } from './lazy-steps.js';
import { loadRuns } from './recover.js';
import type { RunRecord, RunState } from './run-state.js';
import { resumeInterrupted } from './resume.js';

export interface EngineOptions {
  workspaceDir: string;
  /** @default Date.now */
  now?: () => number;
  /** One line per transition, plus warnings. */
  log?: (line: string) => void;
  /** Replaces configured handlers (tests, benchmarks). */
  handlers?: Partial<Record<StepName, StepHandler>>;
  /** Watch the inbox (chokidar) and scan on a timer. Tests drive `scan()` by hand. @default true */
  watch?: boolean;
  /**
   * Whether `start()` resolves only once its first scan has taken in every message that was
   * waiting. False: the scan is begun and goes on after `start()` resolves (headless READY
   * does not wait on a backlog; docs/DESIGN.md §4). @default true
   */
  awaitBacklog?: boolean;
  /** The machines the engine can run, by id. @default the built-in registry (machines/index.ts) */
  machines?: Readonly<Record<string, MachineEntry>>;
  /** A message file that does not look whole is judged once unchanged this long. @default config.limits.settleMs */
  settleMs?: number;
  /**
   * The engine's mailbox, in place of the inbox folders (a Claude Code agent team's inbox
   * files: src/teams). Called once the lock is held. @default the folder mailbox
   */
  mailbox?: (paths: WorkspacePaths, config: Config) => Mailbox;
}

/**
 * One workspace's engine: holds the lock, recovers every unfinished run (resuming what a
 * crash interrupted in the background), then takes the inbox in (the mailbox's wake-ups
 * plus a timed scan, the scan being the truth: docs/DESIGN.md §4).
 * The CLI and the UI read runs and act on them only through this.
 */
export class Engine {
  private watches: Watch[] = [];
  private interval?: NodeJS.Timeout;
  private scanning?: Promise<void>;
  private rescan = false;
  /** When the snapshot caches were last written (Date.now; see scan). */
  private snapshotsAt = 0;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;
  /**
   * Whether control/ may hold an action not taken yet: always without watchers; with them,
   * after its watcher or the timed scan woke the engine (a message's wake-up does not list it).
   */
  private controlsDue = true;
  private watching = false;
  private readonly lockWatch: LockWatch;
  private endedBy!: (why: string) => void;
  /**
   * Resolves, with why, when the engine stopped by itself: its workspace was removed or
   * moved, or another engine took its lock. The command that runs it exits 1 with that.
   */
  readonly ended: Promise<string> = new Promise((resolve) => (this.endedBy = resolve));

  private constructor(
    readonly paths: WorkspacePaths,
    readonly config: Config,
    readonly core: RunCore,
    readonly manual: ManualSteps,
    private readonly steps: LazySteps,
    private readonly intake: Intake,
    private readonly store: RunStoreOf,
    private readonly lock: LockHandle,
    readonly mailbox: Mailbox,
    /** The project steps work in (shown in the UI's header). */
    readonly project: ProjectInfo,
  ) {
    this.lockWatch = new LockWatch(lock, paths, (line) => core.warn(line), (why) => this.end(why));
  }

  /** Opens the workspace, takes the lock (a second engine is refused), and recovers. */
  static async start(opts: EngineOptions): Promise<Engine> {
    const paths = new WorkspacePaths(opts.workspaceDir);
    const config = await loadConfig(paths.root);
    await ensureLayout(paths, config);
    const project = projectOf(paths.root, config);
    await ensureProject(project, paths.configFile);
    const now = opts.now ?? Date.now;
    const lock = await acquireLock(paths.lockFile, { pid: process.pid, startedAt: now() });
    let store: RunStoreOf | undefined;
    let engine: Engine | undefined;
    try {
      // Only the lock holder may use the write-ahead log (it replays a crashed predecessor's).
      let warn = (line: string): void => void opts.log?.(`warning: ${line}`);
      store = await openRunStore<RunRecord, RunState>(paths, { fsync: config.fsync, warn: (line) => warn(line) });
      // File ages are judged by the wall clock the file system stamps them with, not the engine's.
      const mailbox = opts.mailbox?.(paths, config) ?? createFolderMailbox({ paths, config, ...(opts.settleMs !== undefined ? { settleMs: opts.settleMs } : {}) });
      const core = new RunCore({ paths, config, store, mailbox, now, log: opts.log, ...(opts.machines ? { machines: opts.machines } : {}) });
      warn = (line) => core.warn(line);
      const projectDir = project.dir;
      const manual = createManualHandler({ now, prompts: { workspaceDir: paths.root } });
      const steps = new LazySteps({ core, paths, config, projectDir, manual, now, ...(opts.handlers ? { handlers: opts.handlers } : {}) });
      core.steps = steps;
      engine = new Engine(paths, config, core, manual, steps, new Intake(core), store, lock, mailbox, project);
      const startedAt = Date.now();
      const interrupted = await loadRuns(store, core, (w) => core.warn(w));
      // What the mailbox kept of deliveries that no run (quarantined ones too) still needs. Only
      // what is a minute older than this start: nothing this process delivers, whatever the clock does.
      const keep = [...core.runs.inMemory()].flatMap(([, s]) => s.undelivered.flatMap((o) => o.recipients.map((recipient) => ({ recipient, key: o.key, ...(o.stagedAs?.[recipient] !== undefined ? { as: o.stagedAs[recipient] } : {}) }))));
      void mailbox.prune?.(keep, startedAt - 60_000).catch((e: unknown) => core.warn(`could not prune the delivery markers: ${e instanceof Error ? e.message : String(e)}`));
      // Every run is known (in memory, or left on disk: run-table.ts) and its timers armed before READY; what a crash interrupted
      // (undelivered replies, steps in flight) is taken up in each run's queue from here on,
      // journaled before anything runs, without holding the start (10,000 mid-step runs).
      resumeInterrupted(core, steps, interrupted);
      core.timers.start();
      if (opts.watch !== false) engine.watch();
      const first = engine.scan();
      if (opts.awaitBacklog !== false) await first.catch((e: unknown) => {
          throw firstScanFailed(e);
        });
      else void first.catch((e: unknown) => core.warn(`scan failed: ${e instanceof Error ? e.message : String(e)}`));
      // The steps' code loads once READY is near, not before it: the first message does not wait for it.
      setImmediate(() => void steps.load().catch((e: unknown) => core.warn(`could not load the steps' code: ${e instanceof Error ? e.message : String(e)}`)));
      return engine;
    } catch (e) {
      // Nothing a failed start began outlives it: watchers, the timed scan, timers and resumes stop, the store closes.
      if (engine) await engine.stop().catch(() => lock.release());
      else await (store?.close() ?? Promise.resolve()).finally(() => lock.release());
      throw e;
    }
  }

  /** Takes in whatever is waiting: messages in the inbox, then people's queued actions. */
  scan(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.scanning) {
      this.rescan = true;
      // A pass waiting for the messages it holds claims what came meanwhile at once.
      this.intake.nudge();
      return this.scanning;
    }
    this.scanning = (async () => {
      do {
        this.rescan = false;
        await this.intake.scan();
        this.wakeAfterPause();
        if (this.controlsDue || !this.watching) {
          this.controlsDue = false;
          await drainControls(this);
        }
        this.core.timers.fireDue();
        // A cache can wait for the message that woke the engine meanwhile (its writes would
        // go ahead of it in the run's queue), for a second at most under a steady stream.
        if (!this.rescan || Date.now() - this.snapshotsAt >= SNAPSHOTS_WAIT_MS) {
          this.snapshotsAt = Date.now();
          await this.core.writeSnapshots();
        }
      } while (this.rescan && !this.stopped);
    })().finally(() => {
      this.scanning = undefined;
    });
    return this.scanning;
  }

  /** Wake-ups from the mailbox and the control queue are hints; the timed scan is the truth. */
  /** While the intake waits out a fault, one timer wakes it when the wait ends (no scan loop spins meanwhile). */
  private wakeAfterPause(): void {
    const wait = this.intake.pausedUntil - Date.now();
    if (wait <= 0 || this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.scan().catch((e) => this.core.warn(`scan failed: ${(e as Error).message}`));
    }, wait + 1);
    this.retryTimer.unref();
  }

  private watch(): void {
    const wake = () => {
      void this.scan().catch((e) => this.core.warn(`scan failed: ${(e as Error).message}`));
    };
    const warn = (m: string) => this.core.warn(m);
    const wakeForControls = () => {
      this.controlsDue = true;
      wake();
    };
    this.watching = true;
    // One by one: a watcher that throws leaves those before it in `watches`, for stop() to close.
    this.watches.push(this.mailbox.watch(wake, warn));
    this.watches.push(watchControls(this.paths, wakeForControls, warn));
    this.watches.push(watchConfig(this.paths, warn));
    this.interval = setInterval(() => {
      wakeForControls();
      if (!this.stopped) void this.lockWatch.look();
    }, this.config.scanIntervalMs);
    this.interval.unref();
  }

  private end(why: string): void {
    this.core.warn(why);
    void this.stop()
      .catch(() => undefined)
      .then(() => this.endedBy(why));
  }

  /** The runs in memory: every unfinished one, and the last few that finished (`teamstate runs` reads them all from the store). */
  runs(): RunState[] {
    return [...this.core.runs.values(), ...this.core.held.recentlyFinished()];
  }

  run(runId: string): RunState | undefined {
    return this.core.get(runId);
  }

  /** The unfinished runs. */
  unfinished(): RunState[] {
    return [...this.core.runs.values()];
  }

  /** A person completes (or fails) a step: a waiting manual step, or one stuck after a failure. */
  complete(runId: string, step: string, outcome: StepOutcome): Promise<void> {
    const fail = outcome.status === 'done' ? undefined : outcome.reason;
    const text = outcome.status === 'done' ? outcome.output.text : '';
    return applyControl(this, { action: 'complete', run: runId, step, text, ...(fail !== undefined ? { fail } : {}) }, this.actionKey());
  }

  retry(runId: string, step: string): Promise<void> {
    return applyControl(this, { action: 'retry', run: runId, step }, this.actionKey());
  }

  /** A person decides on the plan as the conductor. */
  decide(runId: string, approved: boolean, feedback: string): Promise<void> {
    return applyControl(this, { action: 'decide', run: runId, approved, feedback }, this.actionKey());
  }

  cancel(runId: string, reason: string): Promise<void> {
    return applyControl(this, { action: 'cancel', run: runId, reason }, this.actionKey());
  }

  /** A fresh key for a person's action taken in this process (the UI). */
  private actionKey(): string {
    return `ui:${this.core.now()}:${randomUUID()}`;
  }

  /** Sends a message to members' inboxes as anyone on the team (the UI's compose). */
  async send(message: Message): Promise<string[]> {
    const addresses = checkAddresses(message, this.config);
    if (!addresses.ok) throw new UserError(addresses.error);
    const problem = contentProblem(message);
    if (problem) throw new UserError(problem);
    const key = `${addresses.value.from}.${this.core.now()}.${randomUUID().slice(0, 8)}`;
    await Promise.all(addresses.value.recipients.map((r) => this.core.deps.mailbox.deliver(r, { ...message, from: addresses.value.from }, key)));
    return addresses.value.recipients;
  }

  /** Finishes the messages in hand, stops steps (they re-run on restart), releases the lock. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.interval);
    this.core.retry.stop();
    clearTimeout(this.retryTimer);
    await Promise.all(this.watches.map((w) => w.close()));
    // A backlog is not drained first: the messages in hand are finished, the rest wait in the inbox.
    this.intake.stop();
    await this.scanning?.catch(() => undefined);
    this.steps.stopAll();
    await this.core.queue.idle();
    this.core.timers.clear();
    await this.core.writeSnapshots(true);
    await this.store.close();
    await this.lock.release();
  }
}

/** How long the snapshot caches may wait for new messages to be taken first (see Engine.scan). */
const SNAPSHOTS_WAIT_MS = 1_000;
