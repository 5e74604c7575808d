// The null responder: the least any responder over these folders can do. It watches the
// backend-engineer's inbox the way the engine does (chokidar as a wake-up, a readdir of
// new/ as the truth, plus a timed scan), parses each message, and at once writes the same
// reply files the engine would (tmp/ then rename into new/), keeping nothing: no journal,
// no state, no fsync. The benchmark's ratios are taken against it.
//
//   tsx bench/null-responder.ts --workspace DIR      (prints READY, SIGTERM stops it)
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { watch } from 'chokidar';
import { parseMessage } from '../src/protocol/parse.js';
import { renderMessage } from '../src/protocol/render.js';
import type { Message } from '../src/protocol/schema.js';
import { WorkspacePaths } from '../src/workspace/paths.js';
import { argString } from './lib/args.js';
import { ENGINEER } from './lib/lifecycle.js';

/** The replies the engine sends for each message of the benchmark lifecycle (DESIGN §1). */
function repliesTo(m: Message): Message[] {
  const base = { from: ENGINEER, ...(m.task ? { task: m.task } : {}) };
  const reply = (to: string, type: Message['type'], body: string): Message => ({ ...base, to: [to], type, priority: 'MEDIUM', body }) as Message;
  switch (m.type) {
    case 'HANDOFF':
      return [reply('conductor', 'PLAN', `## Plan: ${m.task}`)];
    case 'STATUS':
      return [reply('sentinel', 'HANDOFF', '## Implementation done'), reply('breaker', 'HANDOFF', '## Built'), reply('librarian', 'STATUS', '## Handed off')];
    case 'BUG':
      return [reply('sentinel', 'BUG_FIX', '## Fixed: BUG-1')];
    case 'PASS':
      return [reply('conductor', 'STATUS', `## Task complete: ${m.task}`), reply('librarian', 'STATUS', `## Task complete: ${m.task}`)];
    default:
      return [];
  }
}

async function main(): Promise<void> {
  const paths = new WorkspacePaths(argString('workspace'));
  const inbox = paths.inbox(ENGINEER);
  let scanning: Promise<void> | undefined;
  let rescan = false;
  let n = 0;

  const answer = async (name: string): Promise<void> => {
    const file = path.join(inbox.new, name);
    const bytes = await fs.readFile(file).catch(() => undefined);
    if (!bytes) return;
    const parsed = parseMessage(bytes, { aliases: { builder: ENGINEER }, fileName: name, defaultTo: ENGINEER });
    if (parsed.ok) {
      await Promise.all(
        repliesTo(parsed.value).map(async (r) => {
          const to = paths.inbox(r.to[0]!);
          const out = `${ENGINEER}--${r.task}-${r.type}-${n++}.md`;
          await fs.writeFile(path.join(to.tmp, out), renderMessage(r));
          await fs.rename(path.join(to.tmp, out), path.join(to.new, out));
        }),
      );
    }
    await fs.rename(file, path.join(inbox.cur, name)).catch(() => undefined);
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
        await Promise.all(names.map(answer));
      } while (rescan);
    })().finally(() => (scanning = undefined));
    return scanning;
  };
  const wake = () => void scan().catch((e: unknown) => process.stderr.write(`null responder: ${String(e)}\n`));

  const watcher = watch([inbox.root, inbox.new], { ignoreInitial: true, depth: 0 });
  watcher.on('add', wake);
  await new Promise<void>((r) => watcher.once('ready', () => r()));
  const timer = setInterval(wake, 1000);
  await scan();
  process.stdout.write(`READY null responder on ${paths.root} (pid ${process.pid})\n`);
  process.once('SIGTERM', () => {
    clearInterval(timer);
    void watcher.close().then(() => process.exit(0));
  });
}

await main();
