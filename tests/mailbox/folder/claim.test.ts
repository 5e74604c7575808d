import { spawn, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFolderMailbox } from '../../../src/mailbox/folder/index.js';
import type { Inbound, Mailbox } from '../../../src/mailbox/port.js';
import { loadConfig } from '../../../src/workspace/config.js';
import type { Config } from '../../../src/workspace/config-schema.js';
import { initWorkspace } from '../../../src/workspace/init.js';
import { WorkspacePaths } from '../../../src/workspace/paths.js';
import { tempDir } from '../../workspace/helpers.js';

const ME = 'backend-engineer';
const HEAD = '[PRIORITY: HIGH]\n[TYPE: BUG]\n[TO: builder]\n[FROM: breaker]\n\n';
const BODY = `## BUG-1: signup accepts a NUL byte\n${'- Reproduce: POST /users with a NUL in the email\n'.repeat(20)}- Expected: 422`;

async function setup(): Promise<{ paths: WorkspacePaths; config: Config; inbox: ReturnType<WorkspacePaths['inbox']> }> {
  const dir = await tempDir();
  await initWorkspace(dir, { preset: 'instant', fsync: false });
  const paths = new WorkspacePaths(dir);
  return { paths, config: await loadConfig(dir), inbox: paths.inbox(ME) };
}

/** A shell writing `chunks` into `file` in place, pausing `pauseS` seconds between them (as agents and shells do). */
function writeInPieces(file: string, chunks: string[], pauseS: number, opts: { before?: number } = {}): Promise<void> {
  const script = [...(opts.before ? [`sleep ${opts.before}`] : []), ...chunks.flatMap((_, i) => [`printf '%s' "$C${i}"`, ...(i < chunks.length - 1 ? [`sleep ${pauseS}`] : [])])].join('; ');
  const env = { ...process.env, ...Object.fromEntries(chunks.map((c, i) => [`C${i}`, c])) };
  const child = spawn('sh', ['-c', `(${script}) > "$F"`], { env: { ...env, F: file }, stdio: 'ignore' });
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`)))));
}

/** Claims until something comes or `done` resolved long enough ago; every claim is recorded. */
async function claimUntil(mb: Mailbox, done: Promise<void>, graceMs: number): Promise<{ items: Inbound[]; early: Inbound[] }> {
  let finished = false;
  void done.then(() => (finished = true));
  const early: Inbound[] = [];
  let finishedAt: number | undefined;
  for (;;) {
    const items = await mb.claim();
    if (!finished) early.push(...items);
    if (items.length > 0) return { items, early };
    if (finished) finishedAt ??= Date.now();
    if (finishedAt !== undefined && Date.now() - finishedAt > graceMs) return { items: [], early };
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the folder mailbox takes only whole messages', () => {
  it.each([
    ['the inbox root', 'root'],
    ['new/ (as `cp` writes)', 'new'],
  ] as const)('should wait for a writer pausing 2 s between chunks in %s, and take the message whole', async (_, where) => {
    const { paths, config, inbox } = await setup();
    const mb = createFolderMailbox({ paths, config });
    expect(config.limits.settleMs).toBeGreaterThan(2_000);
    const text = `${HEAD}${BODY}\n`;
    const file = path.join(where === 'root' ? inbox.root : inbox.new, 'breaker--bug.md');
    const writing = writeInPieces(file, [text.slice(0, 14), text.slice(14, 400), text.slice(400)], 2);
    const { items, early } = await claimUntil(mb, writing, 15_000);
    expect(early).toEqual([]);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ ok: true, message: { type: 'BUG', body: BODY } });
  }, 60_000);

  it('should take a message that ends with its [ACTION NEEDED] line at once, without waiting out the settle time', async () => {
    const { paths, config, inbox } = await setup();
    const mb = createFolderMailbox({ paths, config, settleMs: 3_600_000 });
    await fs.writeFile(path.join(inbox.root, 'breaker--bug.md'), `${HEAD}${BODY}\n\n[ACTION NEEDED: Fix this.]\n`);
    await fs.writeFile(path.join(inbox.new, 'breaker--bug.json'), JSON.stringify({ from: 'breaker', to: ['builder'], type: 'BUG', priority: 'HIGH', body: 'json' }));
    await fs.writeFile(path.join(inbox.new, 'breaker--half.md'), `${HEAD}${BODY.slice(0, 30)}`);
    const items = await mb.claim();
    expect(items.map((i) => i.ok && i.message.body).sort()).toEqual([BODY, 'json']);
  });

  it('should wait for `(sleep 2; printf …) > inbox/x.md`, which is empty for 2 s, and take it once written', async () => {
    const { paths, config, inbox } = await setup();
    const mb = createFolderMailbox({ paths, config });
    const writing = writeInPieces(path.join(inbox.root, 'x.md'), [`${HEAD}${BODY}\n`], 0, { before: 2 });
    const { items, early } = await claimUntil(mb, writing, 15_000);
    expect(early).toEqual([]);
    expect(items).toMatchObject([{ ok: true, message: { body: BODY } }]);
    expect(await fs.readdir(inbox.rejected)).toEqual([]);
  }, 60_000);

  it('should take a rejected file again when its writer goes on writing into it', async () => {
    const { paths, config, inbox } = await setup();
    // A settle time shorter than the writer's pause: the empty file is judged, and rejected.
    const mb = createFolderMailbox({ paths, config, settleMs: 200 });
    const writing = writeInPieces(path.join(inbox.root, 'x.md'), [`${HEAD}${BODY}\n\n[ACTION NEEDED: Fix this.]\n`], 0, { before: 2 });
    let rejected = 0;
    let taken: Inbound | undefined;
    for (let i = 0; i < 300 && !taken; i++) {
      for (const item of await mb.claim()) {
        if (item.ok) taken = item;
        else {
          rejected += 1;
          await mb.reject(item.ref, item.reason);
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await writing;
    expect(rejected).toBe(1);
    expect(taken).toMatchObject({ ok: true, message: { body: BODY } });
    expect(await fs.readdir(inbox.rejected)).toEqual([]);
  }, 60_000);

  it('should refuse a file that grows past the size limit once, when its writer is done, not at each piece', async () => {
    const { paths, config, inbox } = await setup();
    const mb = createFolderMailbox({ paths, config: { ...config, limits: { ...config.limits, maxMessageBytes: 100 } }, settleMs: 1_000 });
    // Past the limit from its second piece on, and still written for 1.5 s more.
    const writing = writeInPieces(path.join(inbox.new, 'big.md'), ['x'.repeat(60), 'y'.repeat(60), 'z'.repeat(60), 'w'.repeat(60)], 0.5);
    const reasons: string[] = [];
    let finished = false;
    void writing.then(() => (finished = true));
    for (let i = 0; i < 300 && !(finished && reasons.length > 0); i++) {
      for (const item of await mb.claim()) {
        if (!item.ok) {
          reasons.push(item.reason);
          await mb.reject(item.ref, item.reason);
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // Given time to be taken again, were it to be.
    for (let i = 0; i < 15; i++) {
      for (const item of await mb.claim()) if (!item.ok) reasons.push(item.reason);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(reasons).toEqual([expect.stringMatching(/the file is 240 bytes, over the limit of 100/)]);
    expect((await fs.stat(path.join(inbox.rejected, 'big.md'))).size).toBe(240);
  }, 60_000);
});

describe('the folder mailbox and odd names', () => {
  it('should take files in new/ named .x, ..md and *.tmp as messages', async () => {
    const { paths, config, inbox } = await setup();
    const mb = createFolderMailbox({ paths, config, settleMs: 0 });
    for (const name of ['.x', '..md', 'y.tmp']) await fs.writeFile(path.join(inbox.new, name), `${HEAD}${name}\n`);
    const items = await mb.claim();
    expect(items.map((i) => i.ok && i.message.body).sort()).toEqual(['..md', '.x', 'y.tmp']);
    for (const i of items) await mb.ack(i.ref);
    expect((await fs.readdir(inbox.cur)).sort()).toEqual(['..md', '.x', 'y.tmp']);
  });

  it("should never let a message named bad.md.reason.txt stand for bad.md's reason", async () => {
    const { paths, config, inbox } = await setup();
    const mb = createFolderMailbox({ paths, config, settleMs: 0 });
    await fs.writeFile(path.join(inbox.new, 'bad.md'), 'junk one');
    await fs.writeFile(path.join(inbox.new, 'bad.md.reason.txt'), 'junk two');
    const items = await mb.claim();
    expect(items).toHaveLength(2);
    await Promise.all(items.map((i) => mb.reject(i.ref, i.ok ? '' : `${i.origin} is junk`)));
    const rejected = inbox.rejected;
    expect(await fs.readFile(path.join(rejected, 'bad.md'), 'utf8')).toBe('junk one');
    expect(await fs.readFile(path.join(rejected, 'bad.md.reason.txt'), 'utf8')).toMatch(/^inboxes\/backend-engineer\/new\/bad\.md is junk/);
    expect(await fs.readFile(path.join(rejected, 'bad.md.reason.txt.message'), 'utf8')).toBe('junk two');
    expect(await fs.readFile(path.join(rejected, 'bad.md.reason.txt.message.reason.txt'), 'utf8')).toMatch(/^inboxes\/backend-engineer\/new\/bad\.md\.reason\.txt is junk/);
  });

  it("should keep a second message of the same name beside the first one's copy in cur/", async () => {
    const { paths, config, inbox } = await setup();
    const mb = createFolderMailbox({ paths, config, settleMs: 0 });
    await fs.writeFile(path.join(inbox.new, 'x.md'), `${HEAD}first\n`);
    const [first] = await mb.claim();
    await mb.ack(first!.ref);
    await fs.writeFile(path.join(inbox.new, 'x.md'), `${HEAD}second\n`);
    await fs.writeFile(path.join(inbox.root, 'x.md'), `${HEAD}third\n`);
    const more = await mb.claim();
    for (const m of more) await mb.ack(m.ref);
    const names = await fs.readdir(inbox.cur);
    expect(names).toHaveLength(3);
    const texts = await Promise.all(names.map((n) => fs.readFile(path.join(inbox.cur, n), 'utf8')));
    expect(texts.map((t) => t.trim().split('\n').at(-1)).sort()).toEqual(['first', 'second', 'third']);
    expect(await mb.original(first!.ref)).toContain('first');
    for (const m of more) expect(await mb.original(m.ref)).toBe(m.ok ? `${HEAD}${m.message.body}\n` : '');
  });

  it("should clean the temp files crashed teamstate processes left in peers' tmp/, and leave the peers' own", async () => {
    const { paths, config } = await setup();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const tmp = paths.inbox('conductor').tmp;
    const orphan = `.backend-engineer--t1.1-0123456789abcdef.md.${dead}.0123456789ab.tmp`;
    await fs.writeFile(path.join(tmp, orphan), 'half');
    await fs.writeFile(path.join(tmp, 'conductor-draft.md'), 'mine');
    const live = `.x.md.${process.pid}.0123456789ab.tmp`;
    await fs.writeFile(path.join(tmp, live), 'being written');
    await createFolderMailbox({ paths, config, settleMs: 0 }).claim();
    expect((await fs.readdir(tmp)).sort()).toEqual([live, 'conductor-draft.md'].sort());
  });
});
