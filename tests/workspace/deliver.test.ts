import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/protocol/parse.js';
import type { Message } from '../../src/protocol/schema.js';
import { deliver, deliveryName } from '../../src/workspace/deliver.js';
import { initWorkspace } from '../../src/workspace/init.js';
import { WorkspacePaths } from '../../src/workspace/paths.js';
import { tempDir } from './helpers.js';

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

  it('replaces rather than duplicates on a repeated delivery', async () => {
    const paths = await workspace();
    await deliver(paths, 'conductor', message, 'k1');
    await deliver(paths, 'conductor', { ...message, body: 'The plan, again.' }, 'k1');
    const files = await fs.readdir(paths.inbox('conductor').new);
    expect(files).toHaveLength(1);
    expect(await fs.readFile(path.join(paths.inbox('conductor').new, files[0]!), 'utf8')).toContain('The plan, again.');
  });

  it('skips a message the recipient has already processed', async () => {
    const paths = await workspace();
    const inbox = paths.inbox('conductor');
    await deliver(paths, 'conductor', message, 'k1');
    const [name] = await fs.readdir(inbox.new);
    await fs.rename(path.join(inbox.new, name!), path.join(inbox.cur, name!));
    expect(await deliver(paths, 'conductor', message, 'k1')).toBe('already-processed');
    expect(await fs.readdir(inbox.new)).toEqual([]);
  });

  it('refuses a recipient name that would leave the inboxes folder', async () => {
    const paths = await workspace();
    await expect(deliver(paths, '../conductor', message, 'k1')).rejects.toThrow(/path separator/);
  });
});
