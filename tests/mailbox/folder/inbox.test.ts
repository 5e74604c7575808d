import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deliver } from '../../../src/mailbox/folder/deliver.js';
import { listInbox, readEntry, readEntryChecked } from '../../../src/mailbox/folder/read.js';
import type { InboxEntry } from '../../../src/mailbox/folder/read.js';
import { ackEntry, receive, rejectEntry } from '../../../src/mailbox/folder/receive.js';
import { listInboxReport } from '../../../src/mailbox/folder/report.js';
import { loadConfig } from '../../../src/workspace/config.js';
import type { Config } from '../../../src/workspace/config-schema.js';
import { initWorkspace } from '../../../src/workspace/init.js';
import { WorkspacePaths } from '../../../src/workspace/paths.js';
import { exists, tempDir } from '../../workspace/helpers.js';

const ME = 'backend-engineer';
const T0 = Date.parse('2026-01-01T00:00:00Z');
const valid = (from = 'analyst', to = 'builder', extra = ''): string => `[PRIORITY: HIGH]\n[TYPE: HANDOFF]\n[TO: ${to}]\n[FROM: ${from}]\n${extra}\nBuild the login endpoint.\n`;

async function setup(): Promise<{ paths: WorkspacePaths; config: Config; inbox: ReturnType<WorkspacePaths['inbox']> }> {
  const dir = await tempDir();
  await initWorkspace(dir, { preset: 'instant', fsync: false });
  const paths = new WorkspacePaths(dir);
  return { paths, config: await loadConfig(dir), inbox: paths.inbox(ME) };
}

/** Writes a file and sets its mtime, so "now" can be chosen relative to it. */
async function put(file: string, text: string, mtimeMs = T0): Promise<void> {
  await fs.writeFile(file, text);
  await fs.utimes(file, new Date(mtimeMs), new Date(mtimeMs));
}

async function only(paths: WorkspacePaths): Promise<InboxEntry> {
  const entries = await listInbox(paths, ME);
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

describe('listInbox', () => {
  it('lists new/ and the root, oldest first, half-written files too (the mailbox judges them once read)', async () => {
    const { paths, inbox } = await setup();
    await put(path.join(inbox.new, 'b.md'), valid(), T0);
    await put(path.join(inbox.root, 'a.md'), valid(), T0 - 1000);
    await put(path.join(inbox.root, 'half.md'), '[PRIORITY: HI', T0 + 5);
    const names = (await listInbox(paths, ME)).map((e) => `${e.where}:${e.name}`);
    expect(names).toEqual(['root:a.md', 'new:b.md', 'root:half.md']);
  });

  it("skips in the root dotfiles, *.tmp and the inbox's own folders, and lists every name in new/", async () => {
    const { paths, inbox } = await setup();
    await put(path.join(inbox.root, '.hidden'), 'x');
    await put(path.join(inbox.root, 'saving.tmp'), 'x');
    await put(path.join(inbox.tmp, 'staged.md'), valid());
    expect(await listInbox(paths, ME)).toEqual([]);
    for (const name of ['.x', '..md', 'writing.tmp']) await put(path.join(inbox.new, name), valid());
    expect((await listInbox(paths, ME)).map((e) => e.name).sort()).toEqual(['..md', '.x', 'writing.tmp']);
  });
});

describe('readEntry', () => {
  it('refuses a symlink pointing outside the workspace without reading or touching its target', async () => {
    const { paths, config, inbox } = await setup();
    const outside = path.join(await tempDir('teamstate-outside-'), 'secret.md');
    await put(outside, valid(), T0 - 5000);
    const before = await fs.stat(outside);
    await fs.symlink(outside, path.join(inbox.new, 'link.md'));
    const entry = await only(paths);
    expect(entry.kind).toBe('symlink');
    const r = await receive(config, ME, entry);
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/symbolic link \(not followed\)/) });
    await rejectEntry(paths, ME, entry, r.ok ? '' : r.reason);
    expect((await fs.lstat(path.join(inbox.rejected, 'link.md'))).isSymbolicLink()).toBe(true);
    const after = await fs.stat(outside);
    expect(await fs.readFile(outside, 'utf8')).toBe(valid());
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.ino).toBe(before.ino);
  });

  it('refuses a folder in new/ and moves it to rejected/ whole', async () => {
    const { paths, config, inbox } = await setup();
    await fs.mkdir(path.join(inbox.new, 'folder.md'));
    await fs.writeFile(path.join(inbox.new, 'folder.md', 'inside'), 'x');
    const entry = await only(paths);
    const r = await receive(config, ME, entry);
    expect(r).toEqual({ ok: false, reason: 'refused: it is a folder, not a message file' });
    await rejectEntry(paths, ME, entry, 'refused: it is a folder, not a message file');
    expect(await fs.readFile(path.join(inbox.rejected, 'folder.md', 'inside'), 'utf8')).toBe('x');
  });

  it('refuses a FIFO without opening it (so nothing hangs) and moves it aside', async () => {
    const { paths, config, inbox } = await setup();
    const fifo = path.join(inbox.new, 'pipe.md');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return; // no mkfifo on this platform
    }
    const entry = await only(paths);
    expect(entry.kind).toBe('other');
    expect(await receive(config, ME, entry)).toEqual({ ok: false, reason: 'refused: not a regular file' });
    await rejectEntry(paths, ME, entry, 'refused: not a regular file');
    expect((await fs.lstat(path.join(inbox.rejected, 'pipe.md'))).isFIFO()).toBe(true);
  });

  it('refuses a file over the size limit and accepts one at the limit', async () => {
    const { paths, inbox } = await setup();
    await put(path.join(inbox.new, 'm.md'), '0123456789A');
    const entry = await only(paths);
    expect(await readEntry(entry, 10)).toEqual({ ok: false, error: expect.stringMatching(/11 bytes, over the limit of 10 \(limits\.maxMessageBytes\)/) });
    expect(await readEntry(entry, 11)).toEqual({ ok: true, value: new TextEncoder().encode('0123456789A') });
  });

  it('waits for a file over the size limit that is still being written, and refuses it once it stays unchanged', async () => {
    const { paths, config, inbox } = await setup();
    const file = path.join(inbox.new, 'm.md');
    await put(file, '0123456789A', T0);
    const listed = await only(paths);
    // Its writer goes on after the listing: the file is neither read nor refused yet.
    await put(file, '0123456789ABCDEF', T0 + 1_000);
    expect(await readEntryChecked(listed, 10)).toEqual({ ok: false, retry: true, error: expect.stringMatching(/changed since it was listed/) });
    expect(await receive({ ...config, limits: { ...config.limits, maxMessageBytes: 10 } }, ME, listed)).toMatchObject({ ok: false, retry: true });
    // Unchanged since its listing: refused, for good.
    expect(await readEntryChecked(await only(paths), 10)).toEqual({ ok: false, retry: false, tooBig: true, error: expect.stringMatching(/16 bytes, over the limit of 10/) });
  });

  it('reads a large file whole', async () => {
    const { paths, inbox } = await setup();
    const big = 'y'.repeat(300_000);
    await put(path.join(inbox.new, 'big.md'), big);
    const r = await readEntry(await only(paths), 1024 * 1024);
    expect(r.ok && Buffer.from(r.value).toString()).toBe(big);
  });

  it('does not take a root file that changed after it was listed, and asks to retry instead of rejecting', async () => {
    const { paths, config, inbox } = await setup();
    const file = path.join(inbox.root, 'analyst--m.md');
    await put(file, valid().slice(0, 20), T0);
    const entry = await only(paths);
    await put(file, valid(), T0 + 20_000);
    expect(await receive(config, ME, entry)).toEqual({ ok: false, retry: true, reason: expect.stringMatching(/changed since it was listed/) });
    expect(await receive(config, ME, await only(paths))).toMatchObject({ ok: true });
  });

  it('refuses entry names with path separators or that are ".." itself, and reads "a..md"', async () => {
    const { inbox } = await setup();
    const base = { where: 'new' as const, kind: 'file' as const, size: 1, mtimeMs: T0, ino: 0 };
    expect(await readEntry({ ...base, name: '../x', path: path.join(inbox.new, '../x') }, 100)).toMatchObject({ ok: false, error: expect.stringMatching(/path separator/) });
    expect(await readEntry({ ...base, name: '..', path: path.join(inbox.new, '..') }, 100)).toMatchObject({ ok: false, error: expect.stringMatching(/is "\.\."/) });
    await put(path.join(inbox.new, 'a..md'), 'x');
    expect(await readEntry({ ...base, name: 'a..md', path: path.join(inbox.new, 'a..md') }, 100)).toMatchObject({ ok: true });
  });
});

describe('receive', () => {
  it('parses a valid message, resolves aliases and keys it by its ID', async () => {
    const { paths, config, inbox } = await setup();
    await put(path.join(inbox.new, 'm.md'), valid('analyst', 'builder', '[ID: a-17]'));
    const r = await receive(config, ME, await only(paths));
    expect(r).toMatchObject({ ok: true, from: 'analyst', recipients: [ME], key: 'id:a-17', message: { type: 'HANDOFF', to: [ME] } });
  });

  it('takes the sender from the file name and keys a message without ID by its content and file, not by its name', async () => {
    const { paths, config, inbox } = await setup();
    const text = '[PRIORITY: LOW]\n[TYPE: BUG]\n[FROM: breaker]\n[TO: builder]\n\nNull deref.\n';
    await put(path.join(inbox.root, 'breaker--bug1.md'), text, T0 - 1000);
    const first = await receive(config, ME, await only(paths));
    expect(first).toMatchObject({ ok: true, from: 'breaker', key: expect.stringMatching(/^sha:[0-9a-f]{64}$/) });
    // Renamed (the same file under another name): the same message.
    await fs.rename(path.join(inbox.root, 'breaker--bug1.md'), path.join(inbox.root, 'renamed.md'));
    const renamed = await receive(config, ME, await only(paths));
    expect(renamed.ok && first.ok && renamed.key).toBe(first.ok && first.key);
    // The same text sent again (another file): another message.
    await fs.rm(path.join(inbox.root, 'renamed.md'));
    await put(path.join(inbox.root, 'again.md'), text, T0 - 500);
    const again = await receive(config, ME, await only(paths));
    expect(again.ok && again.key).not.toBe(first.ok && first.key);
  });

  it('rejects an invalid message into rejected/ with the line and what was expected', async () => {
    const { paths, config, inbox } = await setup();
    const text = '[PRIORITY: HIGH]\n[TYPE: BUGG]\n[TO: builder]\n[FROM: breaker]\n\nx\n';
    await put(path.join(inbox.new, 'bad.md'), text);
    const entry = await only(paths);
    const r = await receive(config, ME, entry);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toMatch(/^line 2: .*expected one of PLAN, STATUS/);
    await rejectEntry(paths, ME, entry, r.reason);
    expect(await fs.readFile(path.join(inbox.rejected, 'bad.md'), 'utf8')).toBe(text);
    expect(await fs.readFile(path.join(inbox.rejected, 'bad.md.reason.txt'), 'utf8')).toMatch(/^line 2: .*expected one of PLAN/);
    expect(await listInbox(paths, ME)).toEqual([]);
  });

  it('refuses an unknown sender and an unknown recipient', async () => {
    const { paths, config, inbox } = await setup();
    await put(path.join(inbox.new, 'm.md'), valid('mallory'));
    expect(await receive(config, ME, await only(paths))).toMatchObject({ ok: false, reason: expect.stringMatching(/^unknown sender "mallory"; members are analyst/) });
    await put(path.join(inbox.new, 'm.md'), valid('analyst', 'builder, ghost'));
    expect(await receive(config, ME, await only(paths))).toMatchObject({ ok: false, reason: expect.stringMatching(/^unknown recipient "ghost"/) });
    expect(await exists(path.join(paths.inboxesDir, 'ghost'))).toBe(false);
  });

  it('refuses a message addressed to someone else', async () => {
    const { paths, config, inbox } = await setup();
    await put(path.join(inbox.new, 'm.md'), valid('analyst', 'conductor'));
    expect(await receive(config, ME, await only(paths))).toMatchObject({ ok: false, reason: 'addressed to conductor, not backend-engineer; deliver it to their inbox instead' });
  });
});

describe('deliver then receive', () => {
  it("reads back what another member delivered, with the sender from the message", async () => {
    const { paths, config } = await setup();
    await deliver(paths, ME, { priority: 'CRITICAL', type: 'FAIL', to: ['builder'], from: 'sentinel', id: 's-3', body: '2 tests fail' }, 'id:s-3', { fsync: false });
    const r = await receive(config, ME, await only(paths));
    expect(r).toMatchObject({ ok: true, from: 'sentinel', key: 'id:s-3', message: { type: 'FAIL', body: '2 tests fail', to: [ME] } });
  });
});

describe('ackEntry and rejectEntry', () => {
  it('moves a processed entry into cur/ so it is not listed, and is safe to repeat', async () => {
    const { paths, inbox } = await setup();
    await put(path.join(inbox.new, 'm.md'), valid());
    const entry = await only(paths);
    await ackEntry(paths, ME, entry, 'm.md');
    await ackEntry(paths, ME, entry, 'm.md');
    expect(await listInbox(paths, ME)).toEqual([]);
    expect(await fs.readFile(path.join(inbox.cur, 'm.md'), 'utf8')).toBe(valid());
  });

  it('leaves no orphan reason file when the entry vanished before it could be rejected', async () => {
    const { paths, inbox } = await setup();
    await put(path.join(inbox.new, 'm.md'), 'x');
    const entry = await only(paths);
    await fs.rm(entry.path);
    await expect(rejectEntry(paths, ME, entry, 'bad')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await fs.readdir(inbox.rejected)).toEqual([]);
  });

  it('never overwrites an earlier rejected file of the same name', async () => {
    const { paths, inbox } = await setup();
    await put(path.join(inbox.new, 'm.md'), 'first');
    await rejectEntry(paths, ME, await only(paths), 'reason one');
    await put(path.join(inbox.new, 'm.md'), 'second');
    const second = await rejectEntry(paths, ME, await only(paths), 'reason two');
    expect(path.basename(second)).toBe('m.md.1');
    expect(await fs.readFile(path.join(inbox.rejected, 'm.md'), 'utf8')).toBe('first');
    expect(await fs.readFile(path.join(inbox.rejected, 'm.md.1'), 'utf8')).toBe('second');
    const report = await listInboxReport(paths, ME);
    // Newest rejection first.
    expect(report.rejected.map((r) => [r.name, r.reason])).toEqual([
      ['m.md.1', 'reason two'],
      ['m.md', 'reason one'],
    ]);
  });
});

describe('listInboxReport', () => {
  it('shows waiting (with files changed lately marked), processed and rejected messages', async () => {
    const { paths, inbox } = await setup();
    await put(path.join(inbox.new, 'n.md'), valid(), T0 - 10_000);
    await put(path.join(inbox.root, 'writing.md'), 'x', T0);
    await put(path.join(inbox.cur, 'done.md'), valid(), T0);
    const report = await listInboxReport(paths, ME, { now: T0 + 10 });
    expect(report.new.map((e) => [e.name, e.where, e.settled])).toEqual([
      ['n.md', 'new', true],
      ['writing.md', 'root', false],
    ]);
    expect(report.processed.map((e) => e.name)).toEqual(['done.md']);
    expect(report.rejected).toEqual([]);
  });
});
