import { mkdirSync, readFileSync } from 'node:fs';
import * as z from 'zod';
import { UserError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import type { RewriteSpares } from './rewrite-spares.js';
import { assertNoLinks } from './no-links.js';
import type { WorkspacePaths } from './paths.js';
import { explainIssue } from './zod-issues.js';

export const TASK_STATUSES = ['pending', 'in_progress', 'completed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

const taskId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a task id: letters, digits, . _ -');

/**
 * One entry of the shared task list, `tasks/<id>.json` (docs/DESIGN.md §2). Fields other tools
 * add are kept when the file is rewritten.
 */
export const taskSchema = z
  .object({
    id: taskId,
    subject: z.string(),
    description: z.string().default(''),
    status: z.enum(TASK_STATUSES),
    owner: z.string().optional(),
    blocks: z.array(taskId).default([]),
    blockedBy: z.array(taskId).default([]),
  })
  .loose();
export type Task = z.infer<typeof taskSchema>;

/** Reads task `id`; undefined when there is no such file. A broken file is a UserError naming it. */
export async function readTask(paths: WorkspacePaths, id: string): Promise<Task | undefined> {
  const file = paths.task(id);
  let text: string;
  try {
    // A few KB, read at each mark the engine makes: synchronous, like the engine's other small reads.
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (${(e as Error).message}); fix the file`);
  }
  const parsed = taskSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const explained = issue ? explainIssue(issue, raw) : { where: '(top level)', expected: 'invalid' };
    throw new UserError(`${file}: ${explained.where}: ${explained.expected}; fix the file`);
  }
  if (parsed.data.id !== id) throw new UserError(`${file}: id: "${parsed.data.id}" does not match the file name; expected "${id}"`);
  return parsed.data;
}

/**
 * Writes a task atomically (creating or replacing `tasks/<id>.json`); through `spares`
 * (the engine's, for the marks it makes again and again) when given.
 */
export async function writeTask(paths: WorkspacePaths, task: Task, opts: { fsync?: boolean; spares?: RewriteSpares } = {}): Promise<void> {
  const valid = taskSchema.parse(task);
  await assertNoLinks(paths.root, paths.tasksDir);
  mkdirSync(paths.tasksDir, { recursive: true });
  const text = `${JSON.stringify(valid, null, 2)}\n`;
  if (opts.spares) await opts.spares.replace(paths.task(valid.id), text, opts);
  else await writeFileAtomic(paths.task(valid.id), text, opts);
}

/**
 * Sets a task's status (and owner, when given), rewriting the file atomically. Throws a
 * UserError when the task does not exist.
 */
export async function setTaskStatus(paths: WorkspacePaths, id: string, status: TaskStatus, owner?: string, opts: { fsync?: boolean } = {}): Promise<Task> {
  const task = await readTask(paths, id);
  if (!task) throw new UserError(`no task "${id}": ${paths.task(id)} does not exist; create it first`);
  const next: Task = { ...task, status, ...(owner !== undefined ? { owner } : {}) };
  await writeTask(paths, next, opts);
  return next;
}
