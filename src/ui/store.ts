import type { EventEmitter } from 'node:events';
import type { EngineEvents } from '../engine/core.js';
import type { RunState } from '../engine/run-state.js';
import type { RunSummary } from '../engine/view.js';
import { sortRuns, summarize } from '../engine/view.js';
import type { ManualSteps, PendingStep } from '../handlers/manual.js';
import type { Config } from '../workspace/config-schema.js';
import type { WorkspacePaths } from '../workspace/paths.js';
import type { ProjectInfo } from '../workspace/project.js';

/** What the store reads from the engine: `Engine` fits it; benchmarks pass a stand-in. */
export interface EngineSource {
  runs(): RunState[];
  run(runId: string): RunState | undefined;
  readonly core: Pick<EventEmitter<EngineEvents>, 'on' | 'off'> & { now: () => number };
  readonly manual: Pick<ManualSteps, 'pending' | 'subscribe'>;
  readonly config: Config;
  readonly paths: WorkspacePaths;
  /** The project steps work in; the header warns when it is not a chosen one. */
  readonly project?: ProjectInfo;
}

/** A line for the person: an action's failure, an engine warning, or a confirmation. */
export interface Note {
  at: number;
  level: 'error' | 'warning' | 'info';
  text: string;
}

/** One immutable picture of what the UI shows; a new object whenever anything changed. */
export interface UiSnapshot {
  /** Sorted: what needs a person first (view.ts `sortRuns`). */
  runs: RunSummary[];
  pending: PendingStep[];
  notes: Note[];
  /** A line the embedding command shows above the footer (the demo's progress). */
  banner?: string;
  /** Bumped on every flush; loaders re-read when it moves. */
  version: number;
}

export interface StoreOptions {
  /** At most one new snapshot per this many ms (a message a millisecond must not mean a render a millisecond). @default 100 */
  throttleMs?: number;
  /** Notes kept. @default 50 */
  maxNotes?: number;
}

/**
 * The engine-facing adapter (a `useSyncExternalStore` source): it listens to the
 * engine's events, keeps one summary per run (re-summarizing only the run that changed),
 * and publishes a new snapshot at most every `throttleMs`. It owns no engine state: runs
 * come from the engine, and actions go to the engine, not through here.
 */
export class UiStore {
  private summaries = new Map<string, RunSummary>();
  private history = new Map<string, RunState>();
  private revisions = new Map<string, number>();
  private snapshot: UiSnapshot;
  private listeners = new Set<() => void>();
  private timer?: NodeJS.Timeout;
  private lastFlush = 0;
  private notes: Note[] = [];
  private banner?: string;
  private readonly throttleMs: number;
  private readonly maxNotes: number;
  private readonly detach: (() => void)[] = [];

  constructor(
    readonly engine: EngineSource,
    opts: StoreOptions = {},
  ) {
    this.throttleMs = opts.throttleMs ?? 100;
    this.maxNotes = opts.maxNotes ?? 50;
    for (const r of engine.runs()) this.summaries.set(r.runId, summarize(r, engine.config));
    const onRun = (s: RunState) => {
      this.summaries.set(s.runId, summarize(s, this.engine.config));
      this.revisions.set(s.runId, (this.revisions.get(s.runId) ?? 0) + 1);
      this.changed();
    };
    const onWarning = (line: string) => this.note('warning', line);
    engine.core.on('run', onRun);
    engine.core.on('warning', onWarning);
    this.detach.push(
      () => engine.core.off('run', onRun),
      () => engine.core.off('warning', onWarning),
      engine.manual.subscribe(() => this.changed()),
    );
    this.snapshot = this.build();
  }

  /** For useSyncExternalStore. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): UiSnapshot => this.snapshot;

  /** Adds runs read from the store (finished before this engine started), unless the engine has them. */
  addHistory(states: RunState[]): void {
    for (const s of states) {
      if (this.summaries.has(s.runId)) continue;
      this.history.set(s.runId, s);
      this.summaries.set(s.runId, summarize(s, this.engine.config));
    }
    this.changed();
  }

  /** How many times the run changed since the UI started: loaders re-read its journal when it moves. */
  revision(runId: string): number {
    return this.revisions.get(runId) ?? 0;
  }

  /** A run's whole state: the engine's, or the one read from the store for an older run. */
  state(runId: string): RunState | undefined {
    return this.engine.run(runId) ?? this.history.get(runId);
  }

  note(level: Note['level'], text: string): void {
    this.notes = [...this.notes, { at: this.engine.core.now(), level, text }].slice(-this.maxNotes);
    this.changed();
  }

  setBanner(text: string | undefined): void {
    if (text === this.banner) return;
    this.banner = text;
    this.changed();
  }

  /** Publishes now (tests, and after a person's action so its effect shows at once). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastFlush = Date.now();
    this.snapshot = this.build();
    for (const l of this.listeners) l();
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const d of this.detach.splice(0)) d();
    this.listeners.clear();
  }

  private changed(): void {
    if (this.timer) return;
    // Wall-clock throttle on purpose: it paces rendering, not engine time.
    const wait = Math.max(0, this.lastFlush + this.throttleMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
    this.timer.unref?.();
  }

  private build(): UiSnapshot {
    return {
      runs: sortRuns([...this.summaries.values()]),
      pending: this.engine.manual.pending(),
      notes: this.notes,
      ...(this.banner !== undefined ? { banner: this.banner } : {}),
      version: (this.snapshot?.version ?? 0) + 1,
    };
  }
}
