import { describe } from 'vitest';
import { MemoryMailbox, emptyMail } from '../../src/mailbox/memory.js';
import { loadConfig } from '../../src/workspace/config.js';
import { initWorkspace } from '../../src/workspace/init.js';
import { tempDir } from '../workspace/helpers.js';
import { mailboxConformance } from './conformance.js';
import { promises as fs } from 'node:fs';

describe('MemoryMailbox', () => {
  mailboxConformance('in-memory', async () => {
    const dir = await tempDir();
    await initWorkspace(dir, { preset: 'instant', fsync: false });
    const config = await loadConfig(dir);
    await fs.rm(dir, { recursive: true, force: true });
    const mail = emptyMail();
    const taken = new Map<string, string[]>();
    const peer = new MemoryMailbox(config, mail);
    return {
      open: () => new MemoryMailbox(config, mail),
      send: async (text) => void peer.put(text),
      received: async (member) => [...(taken.get(member) ?? []), ...peer.box(member).map((m) => m.text)],
      consume: async (member) => void taken.set(member, [...(taken.get(member) ?? []), ...peer.take(member).map((m) => m.text)]),
      rejected: async () => mail.rejected.map((r) => ({ text: r.text, reason: r.reason })),
      close: async () => undefined,
    };
  });
});
