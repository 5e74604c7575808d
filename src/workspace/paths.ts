import path from 'node:path';
import { UserError } from '../errors.js';

/** File name of the config, at the workspace root. */
export const CONFIG_FILE_NAME = 'teamstate.json';

/** Sub-folders of every inbox (docs/DESIGN.md §2). */
export const INBOX_SUBDIRS = ['tmp', 'new', 'cur', 'rejected'] as const;

/** A single path segment we build from outside input: a member, run, task or step name. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Why `name` may not be used as one path segment, or undefined when it may.
 * Refuses path separators, `..`, NUL, leading dots and anything outside letters, digits, `. _ -`.
 */
export function segmentProblem(name: string): string | undefined {
  if (name.includes('/') || name.includes('\\')) return `"${name}" contains a path separator`;
  if (name.includes('..')) return `"${name}" contains ".."`;
  if (!SEGMENT.test(name)) return `"${name}" is not a plain name (letters, digits, . _ - ; at most 128; not starting with a dot)`;
  return undefined;
}

function segment(kind: string, name: string): string {
  const problem = segmentProblem(name);
  if (problem) throw new UserError(`${kind} ${problem}`);
  return name;
}

/** The folders of one member's inbox. */
export interface InboxPaths {
  /** Drop zone: a settled file placed here is a message. */
  root: string;
  /** Writers' staging; renamed into new/ when complete. */
  tmp: string;
  /** Delivered, not yet processed. */
  new: string;
  /** Processed by the engine. */
  cur: string;
  /** Refused messages, each beside a `<name>.reason.txt`. */
  rejected: string;
}

/** Members whose inbox paths a workspace keeps joined (a team is a few). */
const INBOXES_KEPT = 256;

/** File names inside a run's folder of the folder store: defined here once. */
export const RUN_FILES = { journal: 'journal.jsonl', snapshot: 'snapshot.json' } as const;

/** The files of one run in the folder store. */
export interface RunPaths {
  dir: string;
  journal: string;
  snapshot: string;
}

/** The files of run `runId` under a folder store's `runsDir`. Throws UserError for an id that is not a plain segment. */
export function runFiles(runsDir: string, runId: string): RunPaths {
  // Asked several times per message (append, delivery, marks): joined once per run lately used,
  // looked up without making a key string (10,000 runs read back at start all miss).
  let byRun = runPaths.get(runsDir);
  if (!byRun) {
    if (runPaths.size >= RUNS_DIRS_KEPT) runPaths.delete(runPaths.keys().next().value!);
    runPaths.set(runsDir, (byRun = new Map()));
  }
  const known = byRun.get(runId);
  if (known) return known;
  const id = segment('run id', runId);
  // A plain segment under a folder already in normal form joins as the two side by side:
  // path.join's normalizing made about 2 KB of garbage per run.
  const dir = plainFolder(runsDir) ? `${runsDir}${path.sep}${id}` : path.join(runsDir, id);
  const files = Object.freeze({ dir, journal: `${dir}${path.sep}${RUN_FILES.journal}`, snapshot: `${dir}${path.sep}${RUN_FILES.snapshot}` });
  byRun.set(runId, files);
  if (byRun.size > RUN_PATHS_KEPT) byRun.delete(byRun.keys().next().value!);
  return files;
}

/** Whether `dir` is in path.normalize's form and needs no separator added before a segment: then joining is putting side by side. */
function plainFolder(dir: string): boolean {
  if (dir === lastPlain) return true;
  if (dir.length <= 1 || dir.endsWith(path.sep) || path.normalize(dir) !== dir) return false;
  lastPlain = dir;
  return true;
}
let lastPlain: string | undefined;

/** The paths of runs asked for lately, by folder, then id; the oldest go first past the limits. */
const runPaths = new Map<string, Map<string, RunPaths>>();
/** Past the runs in flight under load (200 in the benchmark), and small: a long-lived engine does not grow with its finished runs. */
const RUN_PATHS_KEPT = 256;
/** Run folders whose paths are kept (one per workspace; tests open many). */
const RUNS_DIRS_KEPT = 8;

/**
 * Every path inside a workspace (docs/DESIGN.md §2). The only place that joins workspace paths:
 * each name that comes from outside is checked to be a single plain segment first, so
 * no caller can reach outside the workspace.
 */
export class WorkspacePaths {
  readonly root: string;
  readonly configFile: string;
  /** Held by the one engine running in this workspace. */
  readonly lockFile: string;
  readonly inboxesDir: string;
  readonly runsDir: string;
  readonly tasksDir: string;
  /** Commands from the CLI to a running engine. */
  readonly controlDir: string;
  /** What steps leave behind (prompts, outputs, reports), per run: not the store's. */
  readonly artifactsDir: string;
  /** The folder mailbox's record of replies handed over (exactly-once delivery). */
  readonly deliveriesDir: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.configFile = path.join(this.root, CONFIG_FILE_NAME);
    this.lockFile = path.join(this.root, '.teamstate.lock');
    this.inboxesDir = path.join(this.root, 'inboxes');
    this.runsDir = path.join(this.root, 'runs');
    this.tasksDir = path.join(this.root, 'tasks');
    this.controlDir = path.join(this.root, 'control');
    this.artifactsDir = path.join(this.root, 'artifacts');
    this.deliveriesDir = path.join(this.root, 'deliveries');
  }

  /** The inbox folders of `member`. Throws UserError for a name that is not a plain segment. */
  inbox(member: string): InboxPaths {
    // Asked several times per message (intake, staging, delivery): joined once per member.
    const known = this.inboxes.get(member);
    if (known) return known;
    const root = path.join(this.inboxesDir, segment('member name', member));
    const paths = Object.freeze({
      root,
      tmp: path.join(root, 'tmp'),
      new: path.join(root, 'new'),
      cur: path.join(root, 'cur'),
      rejected: path.join(root, 'rejected'),
    });
    if (this.inboxes.size < INBOXES_KEPT) this.inboxes.set(member, paths);
    return paths;
  }
  private readonly inboxes = new Map<string, InboxPaths>();

  /** The files of run `runId` in the folder store. */
  run(runId: string): RunPaths {
    return runFiles(this.runsDir, runId);
  }

  /** A run's artifacts: `artifacts/<id>/` (the dependency baseline, and each step's folder). */
  artifacts(runId: string): string {
    return path.join(this.artifactsDir, segment('run id', runId));
  }

  /** The artifact folder of one attempt of one step of a run: `artifacts/<id>/steps/<step>-<attempt>/`. */
  step(runId: string, step: string, attempt: number): string {
    if (!Number.isInteger(attempt) || attempt < 0) throw new Error(`step attempt must be a non-negative integer, got ${attempt}`);
    return path.join(this.artifacts(runId), 'steps', `${segment('step name', step)}-${attempt}`);
  }

  /** The file of task `id`: `tasks/<id>.json`. */
  task(id: string): string {
    return path.join(this.tasksDir, `${segment('task id', id)}.json`);
  }
}
