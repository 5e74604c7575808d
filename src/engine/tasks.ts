import type { WorkspacePaths } from '../workspace/paths.js';
import { isTransient, type FaultGate } from './faults.js';
import { RewriteSpares } from '../workspace/rewrite-spares.js';
import { readTask, writeTask } from '../workspace/tasks.js';

/** The task a run works on, from tasks/<id>.json when one matches. */
export async function taskFor(paths: WorkspacePaths, taskId: string, fallback: { subject: string; description: string }) {
  try {
    const task = await readTask(paths, taskId);
    if (task) return { id: taskId, subject: task.subject, description: task.description ?? '' };
  } catch {
    // An unreadable task file is shown by `teamstate inbox`/`runs`; the run goes on from the message.
  }
  return { id: taskId, ...fallback };
}

/**
 * Marks the run's task in the shared list. A run started by a HANDOFF dropped by hand has
 * no task file yet: it gets one, from the run's task, so the list shows every task worked
 * on. A problem is a warning, never a crash.
 */
export async function setTaskStatusSafe(
  paths: WorkspacePaths,
  task: { id: string; subject: string; description: string },
  status: 'in_progress' | 'completed',
  owner: string,
  warn: (line: string, e: unknown) => void,
  spares?: RewriteSpares,
): Promise<void> {
  const id = task.id;
  try {
    const listed = await readTask(paths, id);
    const next = listed ? { ...listed, status, owner } : { id, subject: task.subject || id, description: task.description, status, owner, blocks: [], blockedBy: [] };
    await writeTask(paths, next, spares ? { spares } : {});
  } catch (e) {
    warn(`task ${id}: could not mark it ${status}: ${(e as Error).message}`, e);
  }
}

type Task = { id: string; subject: string; description: string };

/**
 * The engine's marks in the shared task list. A mark that fails with a passing fault (a
 * full disk, too many open files) is kept and written again after the fault gate's wait,
 * the latest mark of each task only, so a task never stays in_progress for want of a
 * file handle (docs/DESIGN.md §4). Other problems are a warning, never a crash.
 */
export class TaskMarks {
  private readonly wanted = new Map<string, { task: Task; status: 'in_progress' | 'completed' }>();
  private timer: NodeJS.Timeout | undefined;
  /** Task files are rewritten through spares: no file made nor freed per mark. */
  private readonly spares: RewriteSpares;

  constructor(
    private readonly paths: WorkspacePaths,
    private readonly owner: string,
    private readonly faults: FaultGate,
    private readonly warn: (line: string) => void,
  ) {
    this.spares = new RewriteSpares(paths.tasksDir);
  }

  async mark(task: Task, status: 'in_progress' | 'completed'): Promise<void> {
    this.wanted.delete(task.id);
    let failed: unknown;
    await setTaskStatusSafe(this.paths, task, status, this.owner, (line, e) => {
      if (isTransient(e)) failed = e;
      else this.warn(line);
    }, this.spares);
    if (failed === undefined) {
      if (this.wanted.size === 0) this.faults.ok('marking tasks');
      return;
    }
    // A newer mark of the same task (made while this one was written) wins.
    if (!this.wanted.has(task.id)) this.wanted.set(task.id, { task, status });
    const wait = this.faults.fail('marking tasks', failed);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const again = [...this.wanted.values()];
      for (const w of again) void this.mark(w.task, w.status);
    }, wait);
    this.timer.unref();
  }
}
