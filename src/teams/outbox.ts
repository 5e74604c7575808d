import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { writeFileAtomic } from '../workspace/atomic.js';
import type { InboxEntry } from './inbox-file.js';
import { appendEntry, inboxEntrySchema } from './inbox-file.js';

/** The record of one entry for one inbox: written before the append, marked after it. */
const intentSchema = z.object({ key: z.string(), inbox: z.string(), entry: inboxEntrySchema, appended: z.boolean() });
type Intent = z.infer<typeof intentSchema>;

/**
 * Appends entries to Claude Code inbox files exactly once, across crashes. Before the
 * first attempt an intent file (in the workspace, fsynced) fixes the entry, timestamp
 * included; every attempt appends that same entry unless the inbox already holds it
 * (same sender, timestamp and text, looked for under the inbox lock); then the intent is
 * marked appended. A SIGKILL at any instant leaves either no intent (nothing was
 * appended), or an intent whose entry is appended once by the next attempt.
 */
export class Outbox {
  constructor(
    private readonly dir: string,
    private readonly opts: { fsync: boolean; onCompromised?: (e: Error) => void },
  ) {}

  /**
   * Sends the entry `make` builds (given the timestamp to use) to `inbox`, once per `key`.
   * `make` runs only when no intent exists yet. Returns whether this call appended it.
   */
  async send(key: string, inbox: string, make: (timestamp: string) => Omit<InboxEntry, 'timestamp'> | Promise<Omit<InboxEntry, 'timestamp'>>): Promise<'appended' | 'already-sent'> {
    const file = this.intentFile(key, inbox);
    let intent = await this.read(file);
    if (intent?.appended) return 'already-sent';
    if (!intent) {
      const timestamp = new Date().toISOString();
      const entry = { ...(await make(timestamp)), timestamp };
      intent = { key, inbox, entry: inboxEntrySchema.parse(entry), appended: false };
      await fs.mkdir(this.dir, { recursive: true });
      await writeFileAtomic(file, JSON.stringify(intent), { fsync: this.opts.fsync });
    }
    const appended = await appendEntry(inbox, intent.entry, { fsync: this.opts.fsync, ...(this.opts.onCompromised ? { onCompromised: this.opts.onCompromised } : {}) });
    // Unsynced: if this is lost, the next attempt finds the entry in the inbox and appends nothing.
    await writeFileAtomic(file, JSON.stringify({ ...intent, appended: true }), { fsync: false });
    return appended ? 'appended' : 'already-sent';
  }

  /** Whether `key` was sent to `inbox` (its intent is marked appended). */
  async sent(key: string, inbox: string): Promise<boolean> {
    return (await this.read(this.intentFile(key, inbox)))?.appended === true;
  }

  private intentFile(key: string, inbox: string): string {
    return path.join(this.dir, `${createHash('sha256').update(`${key}\0${inbox}`).digest('hex').slice(0, 32)}.json`);
  }

  private async read(file: string): Promise<Intent | undefined> {
    const text = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (text === undefined) return undefined;
    const r = intentSchema.safeParse(JSON.parse(text));
    if (!r.success) throw new Error(`${file}: not an outbox intent (${r.error.issues[0]?.message ?? 'invalid'}); move it aside to send again`);
    return r.data;
  }
}
