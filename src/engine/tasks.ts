import type { WorkspacePaths } from '../workspace/paths.js';
import { readTask, setTaskStatus, writeTask } from '../workspace/tasks.js';

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
export async function setTaskStatusSafe(paths: WorkspacePaths, task: { id: string; subject: string; description: string }, status: 'in_progress' | 'completed', owner: string, warn: (line: string) => void): Promise<void> {
  const id = task.id;
  try {
    if (await readTask(paths, id)) await setTaskStatus(paths, id, status, owner);
    else await writeTask(paths, { id, subject: task.subject || id, description: task.description, status, owner, blocks: [], blockedBy: [] });
  } catch (e) {
    warn(`task ${id}: could not mark it ${status}: ${(e as Error).message}`);
  }
}
