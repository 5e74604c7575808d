import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFolderMailbox } from '../../../src/mailbox/folder/index.js';
import { seenInReason } from '../../../src/mailbox/folder/retake.js';
import { packageRoot } from '../../../src/package-root.js';
import { renderMessage } from '../../../src/protocol/render.js';
import { handoffReport } from '../../../src/sim/scenario.js';
import { loadConfig } from '../../../src/workspace/config.js';
import { tempWorkspace } from '../../engine/helpers.js';

const ME = 'backend-engineer';
const HANDOFF = renderMessage({ from: 'analyst', to: [ME], type: 'HANDOFF', priority: 'MEDIUM', task: 'late-writer', body: handoffReport('late-writer'), action: 'Use this map for implementation.' });

async function eventually<T>(what: string, f: () => Promise<T | undefined>, output = () => ''): Promise<T> {
  for (let i = 0; i < 1200; i++) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}; engine said: ${output().slice(-2000)}`);
}

/** `teamstate start --headless` as a person runs it (the built CLI), with what it prints kept. */
async function startEngine(dir: string): Promise<{ child: ChildProcess; output: () => string }> {
  const cli = path.join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing; run \`npm run build\` first`);
  const child = spawn(process.execPath, [cli, 'start', '--headless', '--workspace', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  await eventually('READY', async () => (out.includes('READY') ? true : child.exitCode !== null ? Promise.reject(new Error(`the engine exited: ${out}`)) : undefined));
  return { child, output: () => out };
}

const killed = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

describe('a rejected file that changes is taken again', () => {
  it('should take again, after the engine was killed and started anew, a rejected file its writer went on writing into, and leave an unchanged one aside', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.project = 'project';
      c.git = { worktrees: false };
      // Shorter than the writer's pause: the first piece is judged, and rejected.
      c.limits = { settleMs: 300 };
    });
    await fs.mkdir(path.join(paths.root, 'project'));
    const inbox = paths.inbox(ME);
    let engine = await startEngine(paths.root);
    try {
      // A writer that wrote its first piece in place, then paused; and a file that is junk for good.
      await fs.writeFile(path.join(inbox.root, 'late.md'), HANDOFF.slice(0, 40));
      await fs.writeFile(path.join(inbox.root, 'junk.md'), 'not a message');
      await eventually('both rejected', async () => ((await fs.readdir(inbox.rejected)).length === 4 ? true : undefined), engine.output);
      const reason = await fs.readFile(path.join(inbox.rejected, 'late.md.reason.txt'), 'utf8');
      const st = await fs.lstat(path.join(inbox.rejected, 'late.md'));
      expect(seenInReason(reason)).toEqual({ size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
      await killed(engine.child);

      // While no engine runs, the writer goes on, into the file where it now is.
      await fs.appendFile(path.join(inbox.rejected, 'late.md'), HANDOFF.slice(40));
      engine = await startEngine(paths.root);
      await eventually('the PLAN for the late writer', async () => {
        const names = await fs.readdir(paths.inbox('conductor').new);
        const texts = await Promise.all(names.map((n) => fs.readFile(path.join(paths.inbox('conductor').new, n), 'utf8')));
        return texts.some((t) => t.includes('[TYPE: PLAN]') && t.includes('[TASK: late-writer]')) ? true : undefined;
      }, engine.output);
      // The message is moved to cur/ once its record is durable, which may come just after its reply.
      await eventually('the late writer\'s message in cur/', async () => ((await fs.readdir(inbox.cur)).includes('late.md') ? true : undefined), engine.output);
      expect(await fs.readFile(path.join(inbox.cur, 'late.md'), 'utf8')).toBe(HANDOFF);
      // The unchanged one stays aside, with its reason; nothing else is there.
      expect((await fs.readdir(inbox.rejected)).sort()).toEqual(['junk.md', 'junk.md.reason.txt']);
      expect(await fs.readFile(path.join(inbox.rejected, 'junk.md'), 'utf8')).toBe('not a message');
    } finally {
      await killed(engine.child);
    }
  }, 120_000);

  it('should not take again a file rejected longer ago than the window, nor read an older reason without an inode wrongly', async () => {
    const paths = await tempWorkspace('instant');
    const config = await loadConfig(paths.root);
    const inbox = paths.inbox(ME);
    await fs.mkdir(inbox.rejected, { recursive: true });
    // Rejected by an earlier engine: one an hour ago, one just now in the format without an inode.
    const keep = async (name: string, text: string, reasonAgeMs: number, withInode: boolean): Promise<void> => {
      const file = path.join(inbox.rejected, name);
      await fs.writeFile(file, text);
      const st = await fs.lstat(file);
      const seen = `Seen: ${st.size} bytes, changed at ${st.mtimeMs} ms${withInode ? `, inode ${st.ino}` : ''}`;
      await fs.writeFile(`${file}.reason.txt`, `it never came whole\n\nFile: ${name} (from inboxes/${ME}/)\n${seen}\n`);
      const at = new Date(Date.now() - reasonAgeMs);
      await fs.utimes(`${file}.reason.txt`, at, at);
    };
    await keep('old.md', HANDOFF.slice(0, 40), 60 * 60_000, true);
    await keep('recent.md', HANDOFF.slice(0, 40), 1_000, false);
    const mb = createFolderMailbox({ paths, config, settleMs: 0 });
    expect(await mb.claim()).toEqual([]);
    await fs.appendFile(path.join(inbox.rejected, 'old.md'), HANDOFF.slice(40));
    await fs.appendFile(path.join(inbox.rejected, 'recent.md'), HANDOFF.slice(40).replace('late-writer', 'recent'));
    const items = await mb.claim();
    expect(items.map((i) => i.origin)).toEqual([`inboxes/${ME}/new/recent.md`]);
    expect(items[0]).toMatchObject({ ok: true, message: { type: 'HANDOFF' } });
    expect((await fs.readdir(inbox.rejected)).sort()).toEqual(['old.md', 'old.md.reason.txt']);
  });
});
