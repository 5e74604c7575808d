/**
 * The run store's contract (docs/DESIGN.md §4). The engine sees only this interface, so
 * the folder implementation can be replaced by a database without touching the engine.
 * A store repairs what a crash can leave (a torn last write) by itself when it is opened
 * for writing; a read-only store reads around it and says so.
 */

/** One journal record: opaque JSON to the store except `seq` (1, 2, 3, … per run). */
export interface JournalRecord {
  seq: number;
}

/** A record of any shape: the default for stores used without a record type (tests, tools). */
export type AnyRecord = JournalRecord & Record<string, unknown>;

/** A journal read back whole. */
export interface ReadResult<R extends JournalRecord> {
  records: R[];
  /** What the store found and repaired (or, read-only, read around): for a person to read. */
  note?: string;
}

/** A run's latest state, as cheaply as the store can give it. */
export interface LoadResult<R extends JournalRecord, S = unknown> {
  /**
   * The cached state at `seq`, present only when it matches the journal. A store may read
   * `data` only when it is first asked for, so a caller that needs only `head` (a small
   * summary the writer kept beside it) does not pay for the state.
   */
  snapshot?: { seq: number; data: S; head?: unknown };
  /** The records after the snapshot (all records when there is no usable snapshot). */
  tail: R[];
  note?: string;
}

/** Counters for benchmarks and tests (how well group commit batches). */
export interface StoreStats {
  /** append() calls that resolved. */
  appends: number;
  records: number;
  bytes: number;
  /** Group-commit batches written. */
  batches: number;
  /** fsync calls on journal files. */
  fsyncs: number;
  /** fsync calls on folders (new runs). */
  dirFsyncs: number;
}

/** Durable storage of runs: an append-only journal of records `R` per run, plus a snapshot cache of states `S`. */
export interface RunStore<R extends JournalRecord = AnyRecord, S = unknown> {
  /** Whether writes are refused (the CLI's and the UI's store beside a running engine). */
  readonly readOnly: boolean;
  /**
   * Appends records to a run's journal, creating the run on its first append. Records
   * must continue the run's seq (the first is 1). Resolves only when the records are
   * durable; appends from many runs are made durable together.
   */
  append(runId: string, records: R[]): Promise<void>;
  /** A run is about to be made: its journal may be made ahead, empty, so its first append waits less. Optional. */
  prepare?(runId: string): void;
  /** Reads the whole journal. A run with no journal is a UserError; corruption before the end throws. */
  read(runId: string): Promise<ReadResult<R>>;
  /**
   * Caches the run's state after record `seq` (which must already be journaled). `head`,
   * a small summary of it, is kept beside it and given back by load() (`snapshot.head`)
   * so that a caller can tell what it needs without parsing the state.
   */
  writeSnapshot(runId: string, seq: number, data: S, head?: unknown): Promise<void>;
  /** The latest state cheaply: the snapshot if it matches the journal's end, plus any records after it. */
  load(runId: string): Promise<LoadResult<R, S>>;
  /**
   * What load() gives, read synchronously, for a run with nothing in flight: the engine
   * reads a waiting run it left on disk back this way on its next event. Undefined when it
   * cannot be served so now (an append of the run in flight, its journal behind the
   * write-ahead log, a torn tail to repair): then the caller keeps the run in memory.
   * Optional: a store without it has every run kept in memory.
   */
  loadSync?(runId: string): LoadResult<R, S> | undefined;
  /** Whether loadSync() would serve the run now (no append in flight, the journal not behind its WAL copy): no I/O. */
  readableNow?(runId: string): boolean;
  /** Marks the run finished so that listRuns({ unfinishedOnly }) skips it. */
  markFinished(runId: string): Promise<void>;
  /** The ids of the runs that have a journal, sorted. */
  listRuns(opts?: { unfinishedOnly?: boolean }): Promise<string[]>;
  /** Waits for pending appends and closes every file. */
  close(): Promise<void>;
  /**
   * The process ran out of file handles (EMFILE, ENFILE): close the files kept open for
   * speed (journal handles of runs not being written) and keep fewer from now on.
   * Optional: a store that keeps no files open has nothing to release.
   */
  releaseHandles?(): Promise<void>;
}
