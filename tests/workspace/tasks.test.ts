import { promises as fs } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { WorkspacePaths } from '../../src/workspace/paths.js';
import { readTask, setTaskStatus, writeTask } from '../../src/workspace/tasks.js';
import { tempDir } from './helpers.js';

describe('tasks', () => {
  it('reads nothing for a missing task, and refuses ids that leave tasks/', async () => {
    const paths = new WorkspacePaths(await tempDir());
    expect(await readTask(paths, 'T-1')).toBeUndefined();
    await expect(readTask(paths, '../teamstate')).rejects.toThrow(UserError);
  });

  it('sets the status and owner atomically, keeping fields other tools added', async () => {
    const paths = new WorkspacePaths(await tempDir());
    await fs.mkdir(paths.tasksDir);
    await fs.writeFile(paths.task('7'), JSON.stringify({ id: '7', subject: 'Login', status: 'pending', activeForm: 'Building login' }));
    await setTaskStatus(paths, '7', 'in_progress', 'backend-engineer');
    expect(await readTask(paths, '7')).toEqual({ id: '7', subject: 'Login', description: '', status: 'in_progress', owner: 'backend-engineer', blocks: [], blockedBy: [], activeForm: 'Building login' });
    await setTaskStatus(paths, '7', 'completed');
    expect((await readTask(paths, '7'))?.status).toBe('completed');
    expect(await fs.readdir(paths.tasksDir)).toEqual(['7.json']);
  });

  it('names the file and field of a broken task, and refuses to set a missing one', async () => {
    const paths = new WorkspacePaths(await tempDir());
    await writeTask(paths, { id: 'A', subject: 's', description: '', status: 'pending', blocks: [], blockedBy: [] });
    await fs.writeFile(paths.task('B'), JSON.stringify({ id: 'B', subject: 's', status: 'done' }));
    await expect(readTask(paths, 'B')).rejects.toThrow(/B\.json: status: expected one of "pending", "in_progress", "completed", got "done"; fix the file/);
    await expect(setTaskStatus(paths, 'C', 'completed')).rejects.toThrow(/no task "C"/);
  });
});
