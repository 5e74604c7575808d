// Benchmark peer: what a user could write in a day with XState v5. One actor per task,
// and after every transition the actor's persisted snapshot is rewritten as JSON (tmp
// file, fsync, rename) before the replies go out. On start it reads every snapshot back
// and restarts the actors of unfinished tasks. Served through the same intake as the null
// responder (bench/lib/intake.ts), driven by the same driver.
//
//   tsx bench/peers/xstate/peer.ts --workspace DIR             (prints READY, SIGTERM stops it)
//   tsx bench/peers/xstate/peer.ts --workspace DIR --seed N    (writes N unfinished runs, exits)
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { assign, createActor, setup, type Actor, type AnyMachineSnapshot, type Snapshot } from 'xstate';
import type { Message } from '../../../src/protocol/schema.js';
import { argNumber, argString } from '../../lib/args.js';
import { approves, replies, serveInbox } from '../../lib/intake.js';

type PeerEvent = { type: 'HANDOFF' } | { type: 'APPROVED' } | { type: 'REJECTED' } | { type: 'BUG' } | { type: 'PASS' };

const machine = setup({
  types: { context: {} as { task: string; outbox: Message[] }, input: {} as { task: string }, events: {} as PeerEvent },
}).createMachine({
  id: 'backend-engineer',
  initial: 'idle',
  context: ({ input }) => ({ task: input.task, outbox: [] }),
  states: {
    idle: { on: { HANDOFF: { target: 'awaitingApproval', actions: assign({ outbox: ({ context }) => replies.plan(context.task) }) } } },
    awaitingApproval: {
      on: {
        APPROVED: { target: 'testing', actions: assign({ outbox: ({ context }) => replies.handoffs(context.task) }) },
        REJECTED: { target: 'awaitingApproval', reenter: true, actions: assign({ outbox: ({ context }) => replies.plan(context.task) }) },
      },
    },
    testing: {
      on: {
        BUG: { actions: assign({ outbox: ({ context }) => replies.bugFix(context.task) }) },
        PASS: { target: 'done', actions: assign({ outbox: ({ context }) => replies.complete(context.task) }) },
      },
    },
    done: { type: 'final' },
  },
});

type Run = Actor<typeof machine>;

function eventOf(m: Message): PeerEvent | undefined {
  if (m.type === 'HANDOFF') return { type: 'HANDOFF' };
  if (m.type === 'STATUS') return { type: approves(m) ? 'APPROVED' : 'REJECTED' };
  if (m.type === 'BUG' || m.type === 'FAIL') return { type: 'BUG' };
  if (m.type === 'PASS') return { type: 'PASS' };
  return undefined;
}

const fileOf = (dir: string, task: string): string => path.join(dir, `${encodeURIComponent(task)}.json`);

/** Rewrites a task's snapshot durably: tmp file, fsync, rename over the old one. */
async function writeSnapshot(dir: string, task: string, snapshot: Snapshot<unknown>, fsync = true): Promise<void> {
  const file = fileOf(dir, task);
  const tmp = `${file}.tmp`;
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify(snapshot));
    if (fsync) await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, file);
}

/** Runs `fn` over `items`, `limit` at a time. */
async function eachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function serve(workspace: string): Promise<void> {
  const dir = path.join(workspace, 'peer-xstate');
  await fs.mkdir(dir, { recursive: true });
  const runs = new Map<string, Run>();
  // Resume: every snapshot back into an actor, unless its task is done.
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith('.json'));
  await eachLimit(names, 64, async (name) => {
    const snapshot = JSON.parse(await fs.readFile(path.join(dir, name), 'utf8')) as AnyMachineSnapshot;
    if (snapshot.status === 'done') return;
    const task = decodeURIComponent(name.slice(0, -'.json'.length));
    runs.set(task, createActor(machine, { snapshot, input: { task } }).start());
  });
  await serveInbox(workspace, `xstate peer (${runs.size} resumed)`, async (m) => {
    const event = eventOf(m);
    const task = m.task;
    if (!event || !task) return [];
    let run = runs.get(task);
    if (!run && event.type === 'HANDOFF') runs.set(task, (run = createActor(machine, { input: { task } }).start()));
    if (!run) return [];
    const before = run.getSnapshot();
    run.send(event);
    const after = run.getSnapshot();
    if (after === before) return [];
    await writeSnapshot(dir, task, run.getPersistedSnapshot());
    if (after.status === 'done') {
      run.stop();
      runs.delete(task);
    }
    return after.context.outbox;
  });
}

/** Writes `count` unfinished runs as the peer itself would have left them: most wait on approval, one in ten on the testers. */
async function seed(workspace: string, count: number): Promise<void> {
  const dir = path.join(workspace, 'peer-xstate');
  await fs.mkdir(dir, { recursive: true });
  const template = (events: PeerEvent[]): string => {
    const a = createActor(machine, { input: { task: 'TEMPLATE' } }).start();
    for (const e of events) a.send(e);
    const text = JSON.stringify(a.getPersistedSnapshot());
    a.stop();
    return text;
  };
  const waiting = template([{ type: 'HANDOFF' }]);
  const testing = template([{ type: 'HANDOFF' }, { type: 'APPROVED' }]);
  const ids = Array.from({ length: count }, (_, i) => i);
  await eachLimit(ids, 64, async (i) => {
    const task = `idle-${String(i + 1).padStart(5, '0')}`;
    const text = (i % 10 === 9 ? testing : waiting).split('TEMPLATE').join(task);
    await writeSnapshot(dir, task, JSON.parse(text) as Snapshot<unknown>, false);
  });
}

const workspace = argString('workspace');
const seedCount = argNumber('seed', 0);
if (seedCount > 0) await seed(workspace, seedCount);
else await serve(workspace);
