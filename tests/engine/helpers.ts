import { makeTemp } from '../temp.js';
import type { Engine } from '../../src/engine/engine.js';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { renderMessage } from '../../src/protocol/render.js';
import type { Mailbox } from '../../src/mailbox/port.js';
import type { Message } from '../../src/protocol/schema.js';
import { initWorkspace } from '../../src/workspace/init.js';
import { WorkspacePaths } from '../../src/workspace/paths.js';

/** An `instant` workspace whose project is a plain folder of its own inside it (no git, no worktrees). */
export async function plainProjectWorkspace(): Promise<WorkspacePaths> {
  const paths = await tempWorkspace('instant', (c) => {
    c.project = 'project';
    c.git = { worktrees: false };
  });
  await fs.mkdir(path.join(paths.root, 'project'));
  return paths;
}

/** A fresh workspace in a temp folder, `instant` handlers unless told otherwise. */
export async function tempWorkspace(preset: 'instant' | 'default' = 'instant', edit?: (config: Record<string, unknown>) => void): Promise<WorkspacePaths> {
  const dir = await makeTemp('teamstate-engine-');
  await initWorkspace(dir, { preset });
  const paths = new WorkspacePaths(dir);
  if (edit) await editConfig(paths, edit);
  return paths;
}

/** Rewrites the workspace's teamstate.json after `edit` (its comments go). */
export async function editConfig(paths: WorkspacePaths, edit: (config: Record<string, unknown>) => void): Promise<void> {
  const { parse } = await import('jsonc-parser');
  const config = parse(await fs.readFile(paths.configFile, 'utf8')) as Record<string, unknown>;
  edit(config);
  await fs.writeFile(paths.configFile, JSON.stringify(config, null, 2));
}

let dropped = 0;

/** Drops a message into `to`'s inbox as a peer would: written in tmp/, renamed into new/. */
export async function drop(paths: WorkspacePaths, to: string, m: Omit<Message, 'to'> & { to?: string[] }): Promise<string> {
  const inbox = paths.inbox(to);
  dropped += 1;
  const name = `${m.from}--${String(dropped).padStart(6, '0')}-${m.type.toLowerCase()}.md`;
  await fs.writeFile(path.join(inbox.tmp, name), renderMessage({ to: [to], ...m } as Message));
  await fs.rename(path.join(inbox.tmp, name), path.join(inbox.new, name));
  return name;
}

/** The messages in `member`'s new/ (what the engine delivered to them), oldest first by name. */
export async function delivered(paths: WorkspacePaths, member: string): Promise<string[]> {
  const dir = paths.inbox(member).new;
  const names = (await fs.readdir(dir)).filter((n) => !n.startsWith('.')).sort();
  return Promise.all(names.map((n) => fs.readFile(path.join(dir, n), 'utf8')));
}

export const HANDOFF_BODY = `## ANALYST REPORT — user signup
### ENTRY POINT
app/api/v1/endpoints/users.py:12 — create_user
### FILES IN SCOPE (ordered by edit sequence)
1. app/models/User.py — model
2. app/services/UserService.py — service
3. app/api/v1/endpoints/users.py — endpoint
### DEPENDENCIES (do not touch)
- app/core/security.py — password hashing
### LANDMINES
- [LANDMINE] app/core/security.py:40 — hashing is sync and blocks the loop`;

/** Scans and waits until `cond` holds (steps finish on their own); throws naming `what` after a long while. */
export async function until(engine: Engine, cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 4000; i++) {
    await engine.scan();
    await engine.core.queue.idle();
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Scans until no step is in flight: every message dropped so far has been applied. */
export function settle(engine: Engine): Promise<void> {
  return until(engine, () => engine.runs().every((r) => Object.keys(r.steps).length === 0), 'the runs to settle');
}

/**
 * A mailbox wrapper that holds the deliveries `hold` picks until `release()` (as a slow
 * disk would), and writes down each delivery asked for, as `label` names it.
 */
export function holdingDeliveries(hold: (m: Message) => boolean, label: (to: string, m: Message) => string) {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const delivering: string[] = [];
  const wrap = (mb: Mailbox): Mailbox => ({
    ...mb,
    deliver: async (to, m, key, opts) => {
      delivering.push(label(to, m));
      if (hold(m)) await held;
      return mb.deliver(to, m, key, opts);
    },
  });
  return { wrap, release, delivering };
}
