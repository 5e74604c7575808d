/**
 * The run store's contract (DESIGN §4). The engine sees only this interface, so the
 * folder implementation can be replaced by a database without touching the engine.
 */

/** One journal record: opaque JSON to the store except `seq` (1, 2, 3, … per run). */
export interface JournalRecord {
  seq: number;
  [k: string]: unknown;
}

/** Where a journal's readable records end and why the bytes after that are not records. */
export interface TornTail {
  /** Byte offset of the first unreadable byte: the length of the valid prefix. */
  offset: number;
  /** How many bytes follow the valid prefix. */
  bytes: number;
  /** Why the first of them is not a record, e.g. "no trailing newline (interrupted write)". */
  reason: string;
}

/** A journal read back: the valid records and, when a crash cut the last write, the torn tail. */
export interface ReadResult {
  records: JournalRecord[];
  torn?: TornTail;
}

/** A run's latest state, as cheaply as the store can give it. */
export interface LoadResult {
  /** The cached state at `seq`, present only when it matches the journal. */
  snapshot?: { seq: number; data: unknown };
  /** The records after the snapshot (all records when there is no usable snapshot). */
  tail: JournalRecord[];
  torn?: TornTail;
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

/** Durable storage of runs: an append-only journal per run plus a snapshot cache. */
export interface RunStore {
  /**
   * Appends records to a run's journal, creating the run on its first append. Records
   * must continue the run's seq (the first is 1). Resolves only when the bytes are on
   * disk (fsynced, when fsync is on); appends from many runs are fsynced together.
   */
  append(runId: string, records: JournalRecord[]): Promise<void>;
  /** Reads the whole journal; a torn tail is reported, corruption before the end throws. */
  read(runId: string): Promise<ReadResult>;
  /** Cuts a torn tail off the journal, keeping the cut bytes in `journal.torn.<offset>`. */
  repairTail(runId: string): Promise<void>;
  /** Caches the run's state after record `seq` (which must already be journaled). */
  writeSnapshot(runId: string, seq: number, data: unknown): Promise<void>;
  /** The latest state cheaply: the snapshot if it matches the journal's end, plus any records after it. */
  load(runId: string): Promise<LoadResult>;
  /** Marks the run finished so that listRuns({ unfinishedOnly }) skips it. */
  markFinished(runId: string): Promise<void>;
  /** The ids of the runs that have a journal, sorted. */
  listRuns(opts?: { unfinishedOnly?: boolean }): Promise<string[]>;
  /** Waits for pending appends and closes every file. */
  close(): Promise<void>;
}
