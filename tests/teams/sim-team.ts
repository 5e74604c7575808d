import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import lockfile from 'proper-lockfile';
import { initWorkspace } from '../../src/workspace/init.js';
import { WorkspacePaths } from '../../src/workspace/paths.js';

export const TEAMMATE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/src/cli/teammate.js');

/** An inbox entry as Claude Code writes it. */
export interface Entry {
  from: string;
  text: string;
  timestamp: string;
  read: boolean;
  color?: string;
  summary?: string;
  [k: string]: unknown;
}

/**
 * A Claude Code agent team on disk, played by the test the way Claude Code does it
 * (../shared/reference/claude-code-teams.md): a config.json roster, JSON inbox files
 * written under proper-lockfile's lock at `<inbox>.json.lock` with Claude Code's retry
 * options and rewritten in place, an optional task list, and a lead that spawns pane
 * teammates with Claude Code's teammate argv after clearing their inbox and writing the
 * spawn prompt into it.
 */
export class SimTeam {
  readonly team = `session-${randomUUID().slice(0, 8)}`;
  readonly leadSession = randomUUID();
  private clock = Date.parse('2026-12-01T09:00:00.000Z');
  readonly children = new Set<ChildProcess>();

  private constructor(
    readonly root: string,
    readonly home: string,
    readonly project: string,
  ) {}

  static async create(opts: { members: string[]; tasks?: { id: string; subject: string; description: string }[]; preset?: 'instant' | 'none' }): Promise<SimTeam> {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'teamstate-teams-'));
    const t = new SimTeam(root, path.join(root, 'claude-home'), path.join(root, 'project'));
    await fs.mkdir(t.project, { recursive: true });
    await fs.mkdir(path.join(t.teamDir, 'inboxes'), { recursive: true });
    await t.writeConfig(opts.members);
    if (opts.tasks) {
      await fs.mkdir(t.tasksDir, { recursive: true });
      for (const task of opts.tasks) await fs.writeFile(path.join(t.tasksDir, `${task.id}.json`), JSON.stringify({ ...task, status: 'pending', blocks: [], blockedBy: [] }, null, 2));
      await fs.writeFile(path.join(t.tasksDir, '.highwatermark'), String(opts.tasks.length));
    }
    if (opts.preset !== 'none') await initWorkspace(t.workspaceDir, { preset: 'instant', fsync: false });
    return t;
  }

  get teamDir(): string {
    return path.join(this.home, 'teams', this.team);
  }
  get tasksDir(): string {
    return path.join(this.home, 'tasks', this.team);
  }
  get workspaceDir(): string {
    return path.join(this.project, '.teamstate');
  }
  get workspace(): WorkspacePaths {
    return new WorkspacePaths(this.workspaceDir);
  }
  inbox(name: string): string {
    return path.join(this.teamDir, 'inboxes', `${name}.json`);
  }

  /** The roster as the lead keeps it: the lead first, then its teammates (pane backend). */
  async writeConfig(members: string[]): Promise<void> {
    const now = this.clock;
    const config = {
      name: this.team,
      createdAt: now,
      leadAgentId: `team-lead@${this.team}`,
      leadSessionId: this.leadSession,
      members: [
        { agentId: `team-lead@${this.team}`, name: 'team-lead', agentType: 'team-lead', model: 'claude-opus-5', joinedAt: now, tmuxPaneId: '', cwd: this.project, subscriptions: [] },
        ...members.map((name, i) => ({ agentId: `${name}@${this.team}`, name, agentType: 'general-purpose', model: 'claude-sonnet-5', prompt: `you are ${name}`, color: 'blue', planModeRequired: false, joinedAt: now, tmuxPaneId: `%${i + 2}`, cwd: this.project, subscriptions: [], backendType: 'tmux', isActive: true })),
      ],
    };
    await fs.writeFile(path.join(this.teamDir, 'config.json'), JSON.stringify(config, null, 2));
  }

  /** A fresh ISO timestamp, one ms after the last: entries are told apart by it. */
  stamp(): string {
    this.clock += 1;
    return new Date(this.clock).toISOString();
  }

  /** Appends an entry to `to`'s inbox exactly as Claude Code's writeToMailbox does; a lock not won in its retries is tried again, as an agent resends. */
  async write(to: string, entry: { from: string; text: string; timestamp?: string; color?: string; summary?: string }): Promise<Entry> {
    const file = this.inbox(to);
    const full: Entry = { from: entry.from, text: entry.text, timestamp: entry.timestamp ?? this.stamp(), read: false, ...(entry.color ? { color: entry.color } : {}), ...(entry.summary ? { summary: entry.summary } : {}) };
    await this.locked(file, (entries) => [...entries, full]);
    return full;
  }

  /** Claude Code's locked read-modify-write, rewriting the file in place (writeFile, no rename). */
  async locked(file: string, change: (entries: Entry[]) => Entry[]): Promise<void> {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, '[]', { flag: 'wx' }).catch(() => undefined);
    for (;;) {
      let release: (() => Promise<void>) | undefined;
      try {
        release = await lockfile.lock(file, { lockfilePath: `${file}.lock`, retries: { retries: 10, minTimeout: 5, maxTimeout: 100 } });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ELOCKED') continue;
        throw e;
      }
      try {
        const text = await fs.readFile(file, 'utf8').catch(() => '[]');
        let entries: Entry[];
        try {
          entries = JSON.parse(text) as Entry[];
        } catch {
          entries = [];
        }
        await fs.writeFile(file, JSON.stringify(change(entries), null, 2), 'utf-8');
        return;
      } finally {
        await release();
      }
    }
  }

  /** The entries of `name`'s inbox; a read that catches Claude Code's in-place write half-done is read again. */
  async read(name: string): Promise<Entry[]> {
    for (;;) {
      const text = await fs.readFile(this.inbox(name), 'utf8').catch(() => '[]');
      try {
        return JSON.parse(text) as Entry[];
      } catch {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  }

  /** Waits until `name`'s inbox satisfies `cond`. */
  async waitFor(name: string, cond: (entries: Entry[]) => boolean, what: string, timeoutMs = 90_000): Promise<Entry[]> {
    const start = Date.now();
    for (;;) {
      const entries = await this.read(name);
      if (cond(entries)) return entries;
      if (Date.now() - start > timeoutMs) throw new Error(`gave up waiting for ${what}; ${name}'s inbox: ${JSON.stringify(entries, null, 1).slice(0, 3000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Claude Code's teammate argv for a pane teammate. */
  argv(name: string, opts: { planMode?: boolean } = {}): string[] {
    return [
      '--agent-id', `${name}@${this.team}`,
      '--agent-name', name,
      '--team-name', this.team,
      '--agent-color', 'blue',
      '--parent-session-id', this.leadSession,
      ...(opts.planMode ? ['--plan-mode-required'] : []),
      '--agent-type', 'general-purpose',
      '--model', 'claude-sonnet-5',
    ];
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const { CI: _ci, ...rest } = process.env;
    return { ...rest, CLAUDECODE: '1', CLAUDE_CODE_EXPERIMENTAL_AGENT_TEAMS: '1', CLAUDE_CONFIG_DIR: this.home, TMUX: '/tmp/tmux-0/default,4242,0', TMUX_PANE: '%2', ...extra };
  }

  /** The lead's spawn: clear the teammate's inbox, write the spawn prompt into it from team-lead, run the command. */
  async spawn(name: string, prompt: string, opts: { planMode?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Teammate> {
    await this.locked(this.inbox(name), () => []);
    await this.write(name, { from: 'team-lead', text: prompt, summary: 'spawn prompt' });
    return this.run(name, opts);
  }

  /** Runs the teammate command with the spawn argv (a re-spawn runs this again, as the lead would). */
  run(name: string, opts: { planMode?: boolean; env?: NodeJS.ProcessEnv } = {}): Teammate {
    const child = spawn(process.execPath, [TEAMMATE, ...this.argv(name, opts)], { cwd: this.project, env: this.env(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    return new Teammate(child);
  }

  async cleanup(): Promise<void> {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await fs.rm(this.root, { recursive: true, force: true });
  }
}

/** A running teammate process: its output and exit. */
export class Teammate {
  out = '';
  err = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => (this.out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.err += d.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  async ready(timeoutMs = 60_000): Promise<void> {
    const start = Date.now();
    while (!this.out.includes('READY')) {
      if (this.child.exitCode !== null) throw new Error(`the teammate exited (${this.child.exitCode}) before READY:\n${this.out}\n${this.err}`);
      if (Date.now() - start > timeoutMs) throw new Error(`no READY:\n${this.out}\n${this.err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  kill(): Promise<unknown> {
    this.child.kill('SIGKILL');
    return this.exited;
  }
}

/** The team's message format, as a peer writes it. */
export function seed(m: { type: string; priority?: string; to: string; from?: string; task?: string; body: string; action?: string }): string {
  return [
    `[PRIORITY: ${m.priority ?? 'MEDIUM'}]`,
    `[TYPE: ${m.type}]`,
    `[TO: ${m.to}]`,
    ...(m.from ? [`[FROM: ${m.from}]`] : []),
    ...(m.task ? [`[TASK: ${m.task}]`] : []),
    '',
    m.body,
    ...(m.action ? ['', `[ACTION NEEDED: ${m.action}]`] : []),
  ].join('\n');
}

/** The parsed JSON of a structured entry, or undefined for text. */
export function structured(e: Entry): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(e.text) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The seed TYPE of a text entry. */
export function typeOf(e: Entry): string | undefined {
  return /\[TYPE:\s*([A-Z_]+)\]/.exec(e.text)?.[1];
}
