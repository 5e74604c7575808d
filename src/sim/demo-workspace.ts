import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fakeLlmPath } from '../package-root.js';
import { STEPS } from '../workspace/config-schema.js';
import type { ConfigInput } from '../workspace/config-schema.js';
import { initWorkspace } from '../workspace/init.js';
import { WorkspacePaths } from '../workspace/paths.js';
import { writeTask } from '../workspace/tasks.js';

export const DEMO_TASK = { id: 'signup-email', subject: 'Add email verification to signup', description: 'New users confirm their email before they can log in.' };

/**
 * A workspace for the demo and tests: every step done by the fake LLM CLI (a real child
 * process per step, as with `claude -p`), a task in tasks/, and a project folder of its
 * own where the agent log is written.
 */
export async function prepareDemoWorkspace(dir: string, opts: { conductor: 'scripted' | 'person'; tasks?: string[] }): Promise<WorkspacePaths> {
  await initWorkspace(dir, { force: true });
  const paths = new WorkspacePaths(dir);
  const project = path.join(paths.root, 'project');
  await fs.mkdir(project, { recursive: true });
  const fake = { kind: 'command' as const, argv: [process.execPath, fakeLlmPath()], timeoutMs: 60_000, retries: 0 };
  const config: ConfigInput = {
    members: ['analyst', 'conductor', 'backend-engineer', 'breaker', 'sentinel', 'librarian'],
    engine: { member: 'backend-engineer' },
    aliases: { builder: 'backend-engineer' },
    conductor: opts.conductor === 'person' ? 'person' : 'member',
    project: 'project',
    steps: Object.fromEntries(STEPS.map((s) => [s, fake])),
    limits: { approvalReminderMs: 10 * 60_000, approvalEscalateMs: 60 * 60_000 },
    scanIntervalMs: 250,
  };
  await fs.writeFile(paths.configFile, `${JSON.stringify(config, null, 2)}\n`);
  for (const id of opts.tasks ?? [DEMO_TASK.id]) {
    const task = id === DEMO_TASK.id ? DEMO_TASK : { id, subject: `Task ${id}`, description: '' };
    await writeTask(paths, { ...task, status: 'pending', blocks: [], blockedBy: [] });
  }
  return paths;
}
