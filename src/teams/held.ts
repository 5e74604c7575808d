import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { messageSchema } from '../protocol/schema.js';
import { writeFileAtomic } from '../workspace/atomic.js';

const heldSchema = z.object({ recipient: z.string(), member: z.string(), key: z.string(), message: messageSchema, reason: z.string() });
export type HeldMessage = z.infer<typeof heldSchema>;

/**
 * Replies for a recipient who is not on the team, kept in the workspace with the reason
 * (`teams/<team>/<name>/held/`) instead of being written as a new inbox file; sent when
 * the team's config lists the recipient.
 */
export class Held {
  constructor(
    private readonly dir: string,
    private readonly fsync: boolean,
  ) {}

  /** Keeps `h` (once per key and recipient). True when it was not held already. */
  async hold(h: HeldMessage): Promise<boolean> {
    const file = this.file(h);
    if (await fs.access(file).then(() => true, () => false)) return false;
    await fs.mkdir(this.dir, { recursive: true });
    await writeFileAtomic(file, `${JSON.stringify(h, null, 2)}\n`, { fsync: this.fsync });
    return true;
  }

  async list(): Promise<HeldMessage[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    const out: HeldMessage[] = [];
    for (const n of names.filter((x) => x.endsWith('.json') && !x.startsWith('.')).sort()) {
      const r = heldSchema.safeParse(JSON.parse(await fs.readFile(path.join(this.dir, n), 'utf8')));
      if (r.success) out.push(r.data);
    }
    return out;
  }

  async release(h: HeldMessage): Promise<void> {
    await fs.rm(this.file(h), { force: true });
  }

  private file(h: Pick<HeldMessage, 'key' | 'recipient'>): string {
    return path.join(this.dir, `${createHash('sha256').update(`${h.key}\0${h.recipient}`).digest('hex').slice(0, 32)}.json`);
  }
}
