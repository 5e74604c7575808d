import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deliver, deliveryMarker, deliveryName, forgetDelivery, pruneMarkers, stage } from '../../../src/mailbox/folder/deliver.js';
import { cleanOrphanTemps } from '../../../src/mailbox/folder/clean.js';
import { SPARES_KEPT, Staging } from '../../../src/mailbox/folder/spares.js';
import { parseMessage } from '../../../src/protocol/parse.js';
import type { Message } from '../../../src/protocol/schema.js';
import { renderMessage } from '../../../src/protocol/render.js';
import { initWorkspace } from '../../../src/workspace/init.js';
import { WorkspacePaths } from '../../../src/workspace/paths.js';
import { exists, tempDir } from '../../workspace/helpers.js';

/** The spare files staging makes ahead in a recipient's tmp/. */
const SPARE = /^\.reply-[0-9a-f]{16}\.tmp$/;

const message: Message = { priority: 'HIGH', type: 'PLAN', to: ['conductor'], from: 'backend-engineer', task: 'T-1', body: 'The plan.', action: 'approve or reject' };

async function workspace(): Promise<WorkspacePaths> {
  const dir = await tempDir();
  await initWorkspace(dir, { preset: 'instant', fsync: false });
  return new WorkspacePaths(dir);
}

describe('deliveryName', () => {
  it('is stable per key and recipient, differs otherwise, and uses safe characters only', () => {
    const a = deliveryName('run-1:plan:1', 'conductor', 'backend-engineer');
    expect(deliveryName('run-1:plan:1', 'conductor', 'backend-engineer')).toBe(a);
    expect(deliveryName('run-1:plan:1', 'breaker', 'backend-engineer')).not.toBe(a);
    expect(deliveryName('run-1:plan:2', 'conductor', 'backend-engineer')).not.toBe(a);
    expect(a).toMatch(/^backend-engineer--run-1-plan-1-[0-9a-f]{16}\.md$/);
    const odd = deliveryName('../../etc/passwd\0 x', 'conductor');
    expect(odd).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*\.md$/);
    expect(odd).not.toContain('..');
  });
});

describe('deliver', () => {
  it('writes the rendered message into new/ through tmp/, with the sender in the file name', async () => {
    const paths = await workspace();
    expect(await deliver(paths, 'conductor', message, 'k1')).toBe('delivered');
    const inbox = paths.inbox('conductor');
    const [name] = await fs.readdir(inbox.new);
    expect(name).toMatch(/^backend-engineer--k1-/);
    expect(await fs.readdir(inbox.tmp)).toEqual([]);
    const parsed = parseMessage(await fs.readFile(path.join(inbox.new, name!)), { fileName: name! });
    expect(parsed).toEqual({ ok: true, value: message });
  });

  it('never makes a second copy of a key, whether the recipient left it in new/, moved it away under another name or deleted it', async () => {
    const paths = await workspace();
    const inbox = paths.inbox('conductor');
    await deliver(paths, 'conductor', message, 'left');
    expect(await deliver(paths, 'conductor', message, 'left')).toBe('already-delivered');
    await deliver(paths, 'conductor', message, 'moved');
    await deliver(paths, 'conductor', message, 'deleted');
    for (const name of await fs.readdir(inbox.new)) {
      if (name.includes('moved')) await fs.rename(path.join(inbox.new, name), path.join(inbox.cur, 'read-by-conductor.md'));
      if (name.includes('deleted')) await fs.rm(path.join(inbox.new, name));
    }
    expect(await deliver(paths, 'conductor', message, 'moved')).toBe('already-delivered');
    expect(await deliver(paths, 'conductor', message, 'deleted')).toBe('already-delivered');
    expect((await fs.readdir(inbox.new)).filter((n) => !n.includes('left'))).toEqual([]);
    expect(await fs.readdir(inbox.cur)).toEqual(['read-by-conductor.md']);
  });

  it('after a crash between staging and the marker, stages again and hands over one copy', async () => {
    const paths = await workspace();
    const inbox = paths.inbox('conductor');
    const name = deliveryName('k1', 'conductor', message.from);
    await fs.writeFile(path.join(inbox.tmp, name), 'half of it');
    expect(await deliver(paths, 'conductor', message, 'k1')).toBe('delivered');
    expect(await fs.readdir(inbox.tmp)).toEqual([]);
    expect(await fs.readFile(path.join(inbox.new, name), 'utf8')).toBe(renderMessage(message));
  });

  it('after a crash between the marker and the rename, renames the staged file without writing it again', async () => {
    const paths = await workspace();
    const inbox = paths.inbox('conductor');
    const name = deliveryName('k1', 'conductor', message.from);
    await fs.writeFile(path.join(inbox.tmp, name), renderMessage(message));
    const marker = deliveryMarker(paths, 'k1', 'conductor');
    await fs.mkdir(path.dirname(marker), { recursive: true });
    await fs.writeFile(marker, '');
    expect(await deliver(paths, 'conductor', message, 'k1')).toBe('delivered');
    expect(await fs.readdir(inbox.new)).toEqual([name]);
    expect(await deliver(paths, 'conductor', message, 'k1')).toBe('already-delivered');
  });

  it("refuses to write through a recipient's new/ or tmp/ replaced by a symlink, naming the link", async () => {
    const paths = await workspace();
    const outside = await tempDir('teamstate-outside-');
    for (const dir of ['new', 'tmp'] as const) {
      const inbox = paths.inbox('sentinel');
      await fs.rm(inbox[dir], { recursive: true });
      await fs.symlink(outside, inbox[dir]);
      await expect(deliver(paths, 'sentinel', message, `k-${dir}`)).rejects.toThrow(`inboxes/sentinel/${dir} is a symbolic link (to ${outside})`);
      expect(await fs.readdir(outside)).toEqual([]);
      await fs.rm(inbox[dir]);
      await fs.mkdir(inbox[dir]);
    }
    expect(await exists(paths.deliveriesDir)).toBe(false);
  });

  it('refuses a recipient name that would leave the inboxes folder', async () => {
    const paths = await workspace();
    await expect(deliver(paths, '../conductor', message, 'k1')).rejects.toThrow(/path separator/);
  });
});

describe('stage, then deliver a staged copy', () => {
  it('hands a staged reply over with one rename, and never again, whatever the recipient did with it, with no marker kept', async () => {
    const paths = await workspace();
    const inbox = paths.inbox('conductor');
    expect(await stage(paths, 'conductor', message, 's1')).toBe(true);
    const name = deliveryName('s1', 'conductor', message.from);
    // Staged, whole, and not in new/ until it is handed over.
    expect(parseMessage(await fs.readFile(path.join(inbox.tmp, name)), { fileName: name })).toEqual({ ok: true, value: message });
    expect(await fs.readdir(inbox.new)).toEqual([]);
    expect(await deliver(paths, 'conductor', message, 's1', { staged: true })).toBe('delivered');
    expect(await fs.readdir(inbox.new)).toEqual([name]);
    // Nothing left in tmp/ but the spare files made ahead for the next reply (spares.ts).
    expect((await fs.readdir(inbox.tmp)).filter((n) => !SPARE.test(n))).toEqual([]);
    expect(await exists(deliveryMarker(paths, 's1', 'conductor'))).toBe(false);
    // Taken out of new/ at once: asking again (after a crash) makes no second copy.
    await fs.rename(path.join(inbox.new, name), path.join(inbox.cur, 'taken.md'));
    expect(await deliver(paths, 'conductor', message, 's1', { staged: true })).toBe('already-delivered');
    expect(await fs.readdir(inbox.new)).toEqual([]);
  });

  it('stages nothing through a linked tmp/, and the delivery the long way then names the link', async () => {
    const paths = await workspace();
    const inbox = paths.inbox('conductor');
    const outside = await tempDir('teamstate-outside-');
    await fs.rm(inbox.tmp, { recursive: true });
    await fs.symlink(outside, inbox.tmp);
    expect(await stage(paths, 'conductor', message, 's2')).toBe(false);
    await expect(deliver(paths, 'conductor', message, 's2')).rejects.toThrow(/inboxes\/conductor\/tmp is a symbolic link/);
    expect(await fs.readdir(outside)).toEqual([]);
  });

  it('drops the marker of a reply delivered the long way once told it was journaled', async () => {
    const paths = await workspace();
    await deliver(paths, 'conductor', message, 'long');
    expect(await exists(deliveryMarker(paths, 'long', 'conductor'))).toBe(true);
    await forgetDelivery(paths, 'conductor', 'long');
    expect(await exists(deliveryMarker(paths, 'long', 'conductor'))).toBe(false);
  });
});

describe('the spare files staging takes', () => {
  const sparesOf = async (dir: string) => (await fs.readdir(dir)).filter((n) => SPARE.test(n));
  /** Waits until the staging has all its spares of `dir` ready (made, and the folder synced). */
  const untilReady = async (staging: Staging, dir: string) => {
    for (let i = 0; i < 4000 && staging.spares.readyIn(dir) < SPARES_KEPT; i++) await new Promise((r) => setTimeout(r, 5));
    return staging.spares.readyIn(dir);
  };

  it('stages a reply in a spare made ahead, under the spare name it resolves, and hands it over by that name, whole', async () => {
    const paths = await workspace();
    const staging = new Staging();
    const inbox = paths.inbox('librarian');
    // The first reply to a folder makes its file; the spares for the next are made after it.
    expect(await stage(paths, 'librarian', message, 'sp1', { staging })).toBe(true);
    expect(await untilReady(staging, inbox.tmp)).toBe(SPARES_KEPT);
    const spares = await sparesOf(inbox.tmp);
    expect(spares).toHaveLength(SPARES_KEPT);
    const staged = await stage(paths, 'librarian', message, 'sp2', { staging });
    expect(staged).toEqual({ as: expect.stringMatching(SPARE) });
    const as = (staged as { as: string }).as;
    expect(spares).toContain(as);
    const name = deliveryName('sp2', 'librarian', message.from);
    // Written in place in the spare, under its name: no file of the reply's own name is made.
    expect(await fs.readFile(path.join(inbox.tmp, as), 'utf8')).toBe(renderMessage(message));
    expect(await exists(path.join(inbox.tmp, name))).toBe(false);
    expect(await deliver(paths, 'librarian', message, 'sp2', { staged: true, as, staging })).toBe('delivered');
    expect(await fs.readFile(path.join(inbox.new, name), 'utf8')).toBe(renderMessage(message));
    expect(await exists(path.join(inbox.tmp, as))).toBe(false);
    // Taken out of new/ at once: asking again (after a crash) makes no second copy.
    await fs.rename(path.join(inbox.new, name), path.join(inbox.cur, name));
    expect(await deliver(paths, 'librarian', message, 'sp2', { staged: true, as, staging })).toBe('already-delivered');
    expect(await fs.readdir(inbox.new)).toEqual([]);
  });

  it('writes a spare copy again from the message before its hand-over when this process did not stage it, as a crash may leave it empty or half written', async () => {
    const paths = await workspace();
    const inbox = paths.inbox('conductor');
    const as = '.reply-0123456789abcdef.tmp';
    await fs.writeFile(path.join(inbox.tmp, as), '[PRIORITY: HI');
    expect(await deliver(paths, 'conductor', message, 'left', { staged: true, as, staging: new Staging() })).toBe('delivered');
    const name = deliveryName('left', 'conductor', message.from);
    expect(await fs.readFile(path.join(inbox.new, name), 'utf8')).toBe(renderMessage(message));
    expect(await exists(path.join(inbox.tmp, as))).toBe(false);
    // A name that is not a spare's is refused, never followed out of tmp/.
    await expect(deliver(paths, 'conductor', message, 'odd', { staged: true, as: '../new/x.md' })).rejects.toThrow(/not one of the engine's spares/);
  });

  it('makes the spare a staging took again once its reply is handed over, not while the reply is staged', async () => {
    const paths = await workspace();
    const staging = new Staging();
    const inbox = paths.inbox('conductor');
    expect(await stage(paths, 'conductor', message, 'r1', { staging })).toBe(true);
    expect(await untilReady(staging, inbox.tmp)).toBe(SPARES_KEPT);
    const staged = (await stage(paths, 'conductor', message, 'r2', { staging })) as { as: string };
    // Staged in one of them: it and the others are there, and none is being made beside the staging.
    for (let i = 0; i < 20; i++) {
      expect(await sparesOf(inbox.tmp)).toHaveLength(SPARES_KEPT);
      expect(staging.spares.readyIn(inbox.tmp)).toBe(SPARES_KEPT - 1);
    }
    expect(await deliver(paths, 'conductor', message, 'r2', { staged: true, as: staged.as, staging })).toBe('delivered');
    expect(await untilReady(staging, inbox.tmp)).toBe(SPARES_KEPT);
    expect(await sparesOf(inbox.tmp)).toHaveLength(SPARES_KEPT);
    expect(await sparesOf(inbox.tmp)).not.toContain(staged.as);
    expect(await fs.readFile(path.join(inbox.new, deliveryName('r2', 'conductor', message.from)), 'utf8')).toBe(renderMessage(message));
  });

  it('keeps the spares through the cleaning of temp files, and drops at a start those no undelivered reply is staged in', async () => {
    const paths = await workspace();
    const inbox = paths.inbox('librarian');
    const needed = '.reply-00000000000000aa.tmp';
    const unused = '.reply-00000000000000bb.tmp';
    const recent = '.reply-00000000000000cc.tmp';
    for (const n of [needed, unused, recent]) await fs.writeFile(path.join(inbox.tmp, n), '');
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const n of [needed, unused]) await fs.utimes(path.join(inbox.tmp, n), hourAgo, hourAgo);
    // A dead process's temp files go; spares are not temp files.
    expect(await cleanOrphanTemps(paths, ['librarian'])).toBe(0);
    const removed = await pruneMarkers(paths, [{ recipient: 'librarian', key: 'k', as: needed }], Date.now() - 60_000, ['librarian', 'conductor']);
    expect(removed).toBe(1);
    expect((await sparesOf(inbox.tmp)).sort()).toEqual([needed, recent]);
    expect(await deliver(paths, 'librarian', message, 'k', { staged: true, as: needed })).toBe('delivered');
  });
});

describe('pruneMarkers', () => {
  it('drops the markers no undelivered reply needs among those older than asked, and keeps the rest', async () => {
    const paths = await workspace();
    for (const key of ['old-done', 'old-needed', 'new-done']) await deliver(paths, 'conductor', message, key);
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const key of ['old-done', 'old-needed']) await fs.utimes(deliveryMarker(paths, key, 'conductor'), hourAgo, hourAgo);
    const removed = await pruneMarkers(paths, [{ recipient: 'conductor', key: 'old-needed' }], Date.now() - 60_000);
    expect(removed).toBe(1);
    expect(await exists(deliveryMarker(paths, 'old-done', 'conductor'))).toBe(false);
    expect(await exists(deliveryMarker(paths, 'old-needed', 'conductor'))).toBe(true);
    expect(await exists(deliveryMarker(paths, 'new-done', 'conductor'))).toBe(true);
    // What stays still keeps each reply from going twice.
    expect(await deliver(paths, 'conductor', message, 'old-needed')).toBe('already-delivered');
  });
});
