import os from 'node:os';
import path from 'node:path';
import type { WorkspacePaths } from '../workspace/paths.js';

/** Claude Code's own rule for a name in a path: anything but letters, digits, _ and - becomes -. */
export function sanitizePathComponent(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, '-');
}

/** Claude Code's home: `CLAUDE_CONFIG_DIR` when set, else `~/.claude`. */
export function claudeHome(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.CLAUDE_CONFIG_DIR;
  return dir && dir.trim() !== '' ? path.resolve(dir) : path.join(os.homedir(), '.claude');
}

/**
 * The files of one Claude Code agent team (../shared/reference/claude-code-teams.md §1.2–1.6):
 * `<home>/teams/<team>/config.json`, `<home>/teams/<team>/inboxes/<name>.json`, and the task
 * list `<home>/tasks/<list>/`. The only place these paths are built.
 */
export class TeamPaths {
  readonly teamDir: string;
  readonly configFile: string;
  readonly inboxesDir: string;
  readonly tasksDir: string;

  constructor(
    readonly home: string,
    readonly team: string,
    /** The task list's id: `CLAUDE_CODE_TASK_LIST_ID` when set, else the team's name. */
    taskListId: string = team,
  ) {
    this.teamDir = path.join(home, 'teams', sanitizePathComponent(team));
    this.configFile = path.join(this.teamDir, 'config.json');
    this.inboxesDir = path.join(this.teamDir, 'inboxes');
    this.tasksDir = path.join(home, 'tasks', sanitizePathComponent(taskListId));
  }

  /** `inboxes/<name>.json` of a team member. */
  inbox(name: string): string {
    return path.join(this.inboxesDir, `${sanitizePathComponent(name)}.json`);
  }

  /** `<list>/<id>.json` of a task. */
  task(id: string): string {
    return path.join(this.tasksDir, `${sanitizePathComponent(id)}.json`);
  }

  /** The task list's list-level lock target (Claude Code locks `.lock`, so the lock itself is `.lock.lock`). */
  get taskListLock(): string {
    return path.join(this.tasksDir, '.lock');
  }
}

/**
 * What the teammate keeps in its workspace for one team seat: `teams/<team>/<name>/` with
 * `sent/` (one intent file per outgoing entry, the exactly-once record), `held/` (messages
 * for recipients not on the team), `plans/` (the plan files named in plan_approval_request)
 * and `spawn-prompt.md`.
 */
export class SeatPaths {
  readonly dir: string;
  readonly sentDir: string;
  readonly heldDir: string;
  readonly plansDir: string;
  readonly spawnPrompt: string;
  readonly assignments: string;

  constructor(workspace: WorkspacePaths, team: string, name: string) {
    this.dir = path.join(workspace.root, 'teams', sanitizePathComponent(team), sanitizePathComponent(name));
    this.sentDir = path.join(this.dir, 'sent');
    this.heldDir = path.join(this.dir, 'held');
    this.plansDir = path.join(this.dir, 'plans');
    this.spawnPrompt = path.join(this.dir, 'spawn-prompt.md');
    this.assignments = path.join(this.dir, 'assignments.json');
  }
}
