import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { writeFileAtomic } from '../workspace/atomic.js';
import type { WorkspacePaths } from '../workspace/paths.js';
import { readTask, writeTask } from '../workspace/tasks.js';
import type { TaskAssignment } from './protocol.js';

const fileSchema = z.object({
  /** Tasks the lead assigned, oldest first, by the entry that assigned them. */
  assigned: z.array(z.object({ taskId: z.string(), entry: z.string() })).default([]),
  /** Which HANDOFF (by message key) took which assigned task. */
  bound: z.record(z.string(), z.string()).default({}),
});
type State = z.infer<typeof fileSchema>;

const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Claude Code's `task_assignment` names the task the teammate works on next: the next
 * analyst HANDOFF that names no [TASK:] takes the oldest assigned task not yet taken, so
 * the run's task is the team's task (its subject and description are written to the
 * workspace's task list, where the run reads them). Bindings are kept on disk: a
 * HANDOFF read again after a crash gets the same task.
 */
export class Assignments {
  constructor(
    private readonly file: string,
    private readonly paths: WorkspacePaths,
    private readonly fsync: boolean,
  ) {}

  async assign(a: TaskAssignment, entryKey: string, owner: string): Promise<void> {
    if (!TASK_ID.test(a.taskId)) return;
    if (!(await readTask(this.paths, a.taskId).catch(() => undefined))) {
      await writeTask(this.paths, { id: a.taskId, subject: a.subject || `task ${a.taskId}`, description: a.description, status: 'pending', owner, blocks: [], blockedBy: [] }, { fsync: this.fsync });
    }
    const s = await this.read();
    if (s.assigned.some((x) => x.entry === entryKey)) return;
    await this.write({ ...s, assigned: [...s.assigned, { taskId: a.taskId, entry: entryKey }] });
  }

  /** The task a HANDOFF without [TASK:] is for: the one bound to it, else the oldest unbound assignment (bound now). */
  async taskFor(messageKey: string): Promise<string | undefined> {
    const s = await this.read();
    const bound = s.bound[messageKey];
    if (bound !== undefined) return bound;
    const taken = new Set(Object.values(s.bound));
    const next = s.assigned.find((x) => !taken.has(x.taskId));
    if (!next) return undefined;
    await this.write({ ...s, bound: { ...s.bound, [messageKey]: next.taskId } });
    return next.taskId;
  }

  private async read(): Promise<State> {
    const text = await fs.readFile(this.file, 'utf8').catch(() => undefined);
    return fileSchema.parse(text === undefined ? {} : JSON.parse(text));
  }

  private async write(s: State): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, `${JSON.stringify(s, null, 2)}\n`, { fsync: this.fsync });
  }
}
