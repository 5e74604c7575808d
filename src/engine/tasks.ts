import type { WorkspacePaths } from '../workspace/paths.js';
import { readTask, setTaskStatus } from '../workspace/tasks.js';

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

/** Marks the run's task in the shared list, when it has one; a problem is a warning, never a crash. */
export async function setTaskStatusSafe(paths: WorkspacePaths, taskId: string, status: 'in_progress' | 'completed', owner: string, warn: (line: string) => void): Promise<void> {
  const id = taskId;
  try {
    if (await readTask(paths, id)) await setTaskStatus(paths, id, status, owner);
  } catch (e) {
    warn(`task ${id}: could not mark it ${status}: ${(e as Error).message}`);
  }
}
