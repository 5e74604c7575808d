import { promises as fs } from 'node:fs';
import * as z from 'zod';
import { writeFileAtomic } from '../workspace/atomic.js';
import { TASK_RETRIES, ensureFile, withFileLock } from './file-lock.js';
import type { TeamPaths } from './paths.js';

/** A task of the team's list (`<home>/tasks/<list>/<id>.json`); fields we don't know are kept. */
const claudeTaskSchema = z.object({ id: z.string(), status: z.enum(['pending', 'in_progress', 'completed']), owner: z.string().optional() }).loose();

const ORDER = { pending: 0, in_progress: 1, completed: 2 } as const;

/**
 * Marks a task of the team's task list in_progress or completed, when the list and the
 * task exist (the list is often absent: newer models have no task tools). Under the
 * locks Claude Code takes for a task it claims: the list's `.lock`, then the task file's
 * own; the file is re-read under them and written back whole. Never moves a task back
 * (a completed task stays completed); sets the owner only when it has none.
 */
export async function markTeamTask(paths: TeamPaths, id: string, status: 'in_progress' | 'completed', owner: string, opts: { fsync?: boolean } = {}): Promise<'updated' | 'unchanged' | 'absent'> {
  const file = paths.task(id);
  if (!(await exists(file))) return 'absent';
  await ensureFile(paths.taskListLock, '');
  return withFileLock({ file: paths.taskListLock, retries: TASK_RETRIES }, () =>
    withFileLock({ file, retries: TASK_RETRIES }, async () => {
      const text = await fs.readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) return 'absent' as const;
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (e) {
        throw new Error(`${file}: not valid JSON (${(e as Error).message}); left as it is`);
      }
      const task = claudeTaskSchema.safeParse(raw);
      if (!task.success) throw new Error(`${file}: not a task of Claude Code's list (${task.error.issues[0]?.message ?? 'invalid'}); left as it is`);
      const ownerless = task.data.owner === undefined || task.data.owner === '';
      if (ORDER[task.data.status] >= ORDER[status] && !ownerless) return 'unchanged' as const;
      const next = { ...(raw as object), status: ORDER[task.data.status] >= ORDER[status] ? task.data.status : status, ...(ownerless ? { owner } : {}) };
      await writeFileAtomic(file, JSON.stringify(next, null, 2), { fsync: opts.fsync ?? true });
      return 'updated' as const;
    }),
  );
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
