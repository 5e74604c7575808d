import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { createFolderMailbox } from '../../src/mailbox/folder/index.js';
import type { Mailbox } from '../../src/mailbox/port.js';
import { renderMessage } from '../../src/protocol/render.js';
import type { Message } from '../../src/protocol/schema.js';
import { handoffReport } from '../../src/sim/scenario.js';
import type { WorkspacePaths } from '../../src/workspace/paths.js';
import { tempWorkspace } from './helpers.js';

const ME = 'backend-engineer';
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/bundle/main.js');
const handoff = (task: string): Message => ({ from: 'analyst', to: [ME], type: 'HANDOFF', priority: 'MEDIUM', task, body: handoffReport(task), action: 'Use this map for implementation.' });

/** `n` handoffs waiting in the engine's inbox before it starts, as peers leave them (tmp/, then new/). */
async function backlog(paths: WorkspacePaths, n: number): Promise<string[]> {
  const inbox = paths.inbox(ME);
  const tasks = Array.from({ length: n }, (_, i) => `waiting-${String(i).padStart(3, '0')}`);
  for (const task of tasks) {
    await fs.writeFile(path.join(inbox.tmp, `analyst--${task}.md`), renderMessage(handoff(task)));
    await fs.rename(path.join(inbox.tmp, `analyst--${task}.md`), path.join(inbox.new, `analyst--${task}.md`));
  }
  return tasks;
}

/** The PLANs the conductor got, by task: how many each. */
async function plansByTask(paths: WorkspacePaths): Promise<Map<string, number>> {
  const dir = paths.inbox('conductor').new;
  const texts = await Promise.all((await fs.readdir(dir)).map((n) => fs.readFile(path.join(dir, n), 'utf8')));
  const plans = new Map<string, number>();
  for (const t of texts.filter((t) => t.includes('[TYPE: PLAN]'))) {
    const task = /\[TASK: ([^\]]+)\]/.exec(t)![1]!;
    plans.set(task, (plans.get(task) ?? 0) + 1);
  }
  return plans;
}

async function eventually(what: string, cond: () => Promise<boolean>, said: () => string = () => ''): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}: ${said().slice(-2000)}`);
}

/**
 * The folder mailbox, whose claims wait until `open()` is called: while they wait, the
 * first scan cannot take anything in, so whether `Engine.start` waits for it shows.
 */
function gatedMailbox(): { mailbox: (paths: WorkspacePaths, config: Parameters<typeof createFolderMailbox>[0]['config']) => Mailbox; claimed: Promise<void>; open: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let claimedNow!: () => void;
  const claimed = new Promise<void>((r) => (claimedNow = r));
  const mailbox = (paths: WorkspacePaths, config: Parameters<typeof createFolderMailbox>[0]['config']): Mailbox => {
    const real = createFolderMailbox({ paths, config, settleMs: 0 });
    return {
      ...real,
      claim: async (max?: number) => {
        claimedNow();
        await gate;
        return real.claim(max);
      },
    };
  };
  return { mailbox, claimed, open };
}

describe('a backlog waiting at start', () => {
  it('should let start() resolve before the backlog is taken in when told not to wait, then take each waiting message once', async () => {
    const paths = await tempWorkspace('instant', (c) => (c.git = { worktrees: false }));
    const tasks = await backlog(paths, 20);
    const gated = gatedMailbox();
    // The claims wait on the gate: a start() that waited for its first scan would never resolve here.
    const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, awaitBacklog: false, mailbox: gated.mailbox });
    try {
      await gated.claimed;
      expect(engine.runs()).toEqual([]);
      expect((await fs.readdir(paths.inbox(ME).new)).length).toBe(20);
      gated.open();
      await eventually('a PLAN for every waiting handoff', async () => {
        await engine.scan();
        return (await plansByTask(paths)).size === tasks.length;
      });
      await engine.core.queue.idle();
    } finally {
      await engine.stop();
    }
    const plans = await plansByTask(paths);
    expect([...plans.keys()].sort()).toEqual(tasks);
    expect([...plans.values()].every((n) => n === 1)).toBe(true);
    expect(await fs.readdir(paths.inbox(ME).new)).toEqual([]);
  });

  it('should still resolve start() only once the backlog is taken in by default (the UI and in-process callers)', async () => {
    const paths = await tempWorkspace('instant', (c) => (c.git = { worktrees: false }));
    const tasks = await backlog(paths, 5);
    const gated = gatedMailbox();
    let resolved = false;
    const starting = Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0, mailbox: gated.mailbox }).then((e) => {
      resolved = true;
      return e;
    });
    await gated.claimed;
    // The first scan waits on the gate, and start() on the scan.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(resolved).toBe(false);
    gated.open();
    const engine = await starting;
    try {
      expect(engine.runs().map((r) => r.runId).sort()).toEqual(tasks);
    } finally {
      await engine.stop();
    }
  });

  it('should print READY before the backlog is taken in by `start --headless`, then log and answer each waiting handoff once', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.git = { worktrees: false };
      c.scanIntervalMs = 100;
    });
    const tasks = await backlog(paths, 30);
    const child: ChildProcess = spawn(process.execPath, [MAIN, 'start', '--headless', '--workspace', paths.root], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await eventually('a PLAN for every waiting handoff', async () => (await plansByTask(paths)).size === tasks.length, () => out);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const lines = out.split('\n');
    const ready = lines.findIndex((l) => / READY backend-engineer on /.test(l));
    const firstTaken = lines.findIndex((l) => /waiting-\d{3}: idle → /.test(l));
    expect(ready).toBeGreaterThanOrEqual(0);
    expect(lines[ready]).toMatch(/0 unfinished runs recovered/);
    expect(firstTaken).toBeGreaterThan(ready);
    const plans = await plansByTask(paths);
    expect([...plans.keys()].sort()).toEqual(tasks);
    expect([...plans.values()].every((n) => n === 1)).toBe(true);
  });
});
