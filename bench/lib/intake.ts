// The inbox intake every stand-in responder shares (the null responder and the peers of
// bench/peers/): it watches the backend-engineer's inbox the way the engine does (chokidar
// as a wake-up, a readdir of new/ as the truth, plus a timed scan), parses each message
// with the product's parser (at most 64 at a time), hands it to the responder, writes the replies it returns
// (tmp/ then rename into new/) and moves the message to cur/. What differs between the
// responders is only what they do with a message before answering it.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { watch } from 'chokidar';
import { parseMessage } from '../../src/protocol/parse.js';
import { renderMessage } from '../../src/protocol/render.js';
import type { Message } from '../../src/protocol/schema.js';
import { mapLimit } from '../../src/store/map-limit.js';
import { WorkspacePaths } from '../../src/workspace/paths.js';
import { ENGINEER } from './lifecycle.js';

/** Messages taken at once: a burst is answered as it is read, not after all of it is in hand. */
const IN_FLIGHT = 64;

/** What a responder does with one parsed message: the replies to send once it is done. */
export type Answer = (m: Message) => Promise<Message[]>;

/** A reply from the backend-engineer about `task`. */
export function reply(task: string | undefined, to: string, type: Message['type'], body: string): Message {
  return { from: ENGINEER, ...(task ? { task } : {}), to: [to], type, priority: 'MEDIUM', body } as Message;
}

/** The replies the engine sends for each message of the benchmark lifecycle (DESIGN §1). */
export const replies = {
  plan: (task?: string): Message[] => [reply(task, 'conductor', 'PLAN', `## Plan: ${task}`)],
  handoffs: (task?: string): Message[] => [reply(task, 'sentinel', 'HANDOFF', '## Implementation done'), reply(task, 'breaker', 'HANDOFF', '## Built'), reply(task, 'librarian', 'STATUS', '## Handed off')],
  bugFix: (task?: string): Message[] => [reply(task, 'sentinel', 'BUG_FIX', '## Fixed: BUG-1')],
  complete: (task?: string): Message[] => [reply(task, 'conductor', 'STATUS', `## Task complete: ${task}`), reply(task, 'librarian', 'STATUS', `## Task complete: ${task}`)],
};

/** Whether a conductor's STATUS approves the plan. */
export const approves = (m: Message): boolean => m.decision === 'APPROVED' || /^\s*APPROVED\b/.test(m.body);

/**
 * Serves the backend-engineer's inbox of `workspace` with `answer` until SIGTERM; prints
 * `READY <label> …` once the watcher is up and what was waiting has been answered.
 */
export async function serveInbox(workspace: string, label: string, answer: Answer, onStop: () => Promise<void> = async () => undefined): Promise<void> {
  const paths = new WorkspacePaths(workspace);
  const inbox = paths.inbox(ENGINEER);
  let scanning: Promise<void> | undefined;
  let rescan = false;
  let n = 0;
  const taken = new Set<string>();
  let stopping = false;

  const take = async (name: string): Promise<void> => {
    if (stopping || taken.has(name)) return;
    taken.add(name);
    try {
      const file = path.join(inbox.new, name);
      const bytes = await fs.readFile(file).catch(() => undefined);
      if (!bytes) return;
      const parsed = parseMessage(bytes, { aliases: { builder: ENGINEER }, fileName: name, defaultTo: ENGINEER });
      if (parsed.ok) {
        const out = await answer(parsed.value);
        await Promise.all(
          out.map(async (r) => {
            const to = paths.inbox(r.to[0]!);
            const outName = `${ENGINEER}--${r.task}-${r.type}-${n++}.md`;
            await fs.writeFile(path.join(to.tmp, outName), renderMessage(r));
            await fs.rename(path.join(to.tmp, outName), path.join(to.new, outName));
          }),
        );
      }
      await fs.rename(file, path.join(inbox.cur, name)).catch(() => undefined);
    } finally {
      taken.delete(name);
    }
  };
  const scan = (): Promise<void> => {
    if (scanning) {
      rescan = true;
      return scanning;
    }
    scanning = (async () => {
      do {
        rescan = false;
        const names = (await fs.readdir(inbox.new)).filter((x) => !x.startsWith('.') && !x.endsWith('.tmp'));
        await mapLimit(names, IN_FLIGHT, take);
      } while (rescan);
    })().finally(() => (scanning = undefined));
    return scanning;
  };
  const wake = () => void scan().catch((e: unknown) => process.stderr.write(`${label}: ${String(e)}\n`));

  const watcher = watch([inbox.root, inbox.new], { ignoreInitial: true, depth: 0 });
  watcher.on('add', wake);
  await new Promise<void>((r) => watcher.once('ready', () => r()));
  const timer = setInterval(wake, 1000);
  await scan();
  process.stdout.write(`READY ${label} on ${paths.root} (pid ${process.pid})\n`);
  process.once('SIGTERM', () => {
    // Finish the messages in hand, take no more.
    stopping = true;
    clearInterval(timer);
    void watcher
      .close()
      .then(() => scanning)
      .then(onStop)
      .then(() => process.exit(0));
  });
}
