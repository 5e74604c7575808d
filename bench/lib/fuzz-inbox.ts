import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import { REASON_SUFFIX } from '../../src/mailbox/folder/read.js';
import { benchWorkspace } from './processes.js';
import { note, tally, type Tally } from './fuzz-seeds.js';
import type { Rng } from './mutate.js';

const ENGINEER = 'backend-engineer';
const SENDERS = ['analyst', 'conductor', 'breaker', 'sentinel', 'librarian', 'stranger'];

/** A file name a careless peer might use (never a dotfile or *.tmp: those are writers' temp files by contract). */
function fileName(rng: Rng, i: number): string {
  const names = [
    `${rng.pick(SENDERS)}--f${i}.md`,
    `f${i} with spaces.md`,
    `f${i}-ünïcode-😀.txt`,
    `-f${i}`,
    `${rng.pick(SENDERS)}--${'x'.repeat(150)}-${i}`,
    `f${i}.json`,
  ];
  return rng.pick(names);
}

/**
 * The inbox end to end: writes the inputs as real files (in new/ and, settled, in the
 * inbox root), plus entries no message should be (a symlink, a folder, an empty file, an
 * oversized file), runs the engine's intake over them, and checks that every entry ended
 * in cur/ or in rejected/ beside a non-empty reason, and that no scan threw.
 */
export async function inboxFuzz(rng: Rng, inputs: string[]): Promise<Tally> {
  const t = tally();
  const paths = await benchWorkspace('fuzz', (c) => c.replace(/"fsync":\s*true/, '"fsync": false'));
  const inbox = paths.inbox(ENGINEER);
  let entries = 0;
  for (const [i, text] of inputs.entries()) {
    const dir = rng() < 0.8 ? inbox.new : inbox.root;
    await fs.writeFile(path.join(dir, fileName(rng, i)), text);
  }
  await fs.symlink('/etc/passwd', path.join(inbox.new, 'analyst--link.md'));
  await fs.mkdir(path.join(inbox.new, 'analyst--folder.md'));
  await fs.writeFile(path.join(inbox.new, 'analyst--empty.md'), '');
  await fs.writeFile(path.join(inbox.new, 'analyst--huge.md'), `[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: builder]\n\n${'x'.repeat(2_000_000)}`);
  entries = (await fs.readdir(inbox.new)).length + (await fs.readdir(inbox.root)).filter((n) => !['new', 'cur', 'tmp', 'rejected'].includes(n)).length;
  t.inputs = entries;

  const engine = await Engine.start({ workspaceDir: paths.root, watch: false, settleMs: 0 });
  try {
    for (let i = 0; i < 100; i++) {
      try {
        await engine.scan();
      } catch (e) {
        t.crashes++;
        note(t, `scan threw ${(e as Error).message}`, '');
      }
      const left = (await fs.readdir(inbox.new)).length + (await fs.readdir(inbox.root)).filter((n) => !['new', 'cur', 'tmp', 'rejected'].includes(n)).length;
      if (left === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await engine.stop();
  }
  const cur = await fs.readdir(inbox.cur);
  const rejected = (await fs.readdir(inbox.rejected)).filter((n) => !n.endsWith(REASON_SUFFIX));
  t.accepted = cur.length;
  t.rejected = rejected.length;
  for (const name of rejected) {
    const reason = await fs.readFile(path.join(inbox.rejected, name + REASON_SUFFIX), 'utf8').catch(() => '');
    if (!reason.split('\n\nFile:')[0]!.trim()) {
      t.silent++;
      note(t, 'rejected without a reason', name);
    }
  }
  const lost = entries - cur.length - rejected.length;
  if (lost !== 0) {
    t.crashes += Math.abs(lost);
    const left = [...(await fs.readdir(inbox.new)), ...(await fs.readdir(inbox.root))].filter((n) => !['new', 'cur', 'tmp', 'rejected'].includes(n));
    note(t, `${lost} entries neither taken nor rejected`, left.slice(0, 5).join(', '));
  }
  await fs.rm(paths.root, { recursive: true, force: true });
  return t;
}
