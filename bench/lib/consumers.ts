import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { WorkspacePaths } from '../../src/workspace/paths.js';

/** How a peer takes its mail: moved out of new/ at once under another name, or read and deleted. */
export type Consuming = 'move' | 'delete';

/**
 * Peers that take their mail out of new/ as soon as it lands, as real readers do: a mover
 * renames each message into its cur/ under a name of its own, a deleter reads it and
 * deletes it. What the deleter read is kept here, so nothing it got is lost from the count.
 */
export class ConsumingPeers {
  /** What the deleters read, in order. */
  readonly deleted: { to: string; text: string }[] = [];
  readonly taken: Record<Consuming, number> = { move: 0, delete: 0 };
  private n = 0;
  private stopped = false;
  private loop?: Promise<void>;

  constructor(
    private readonly paths: WorkspacePaths,
    private readonly peers: Record<string, Consuming>,
  ) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        await this.sweep();
        await new Promise((r) => setTimeout(r, 3));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.sweep();
  }

  /** One pass: everything in each consuming peer's new/ is taken. */
  async sweep(): Promise<void> {
    for (const [member, how] of Object.entries(this.peers)) {
      const inbox = this.paths.inbox(member);
      for (const name of await fs.readdir(inbox.new).catch(() => [] as string[])) {
        const file = path.join(inbox.new, name);
        try {
          if (how === 'move') {
            await fs.rename(file, path.join(inbox.cur, `read-${String(++this.n).padStart(6, '0')}.md`));
          } else {
            const text = await fs.readFile(file, 'utf8');
            await fs.rm(file);
            this.deleted.push({ to: member, text });
          }
          this.taken[how] += 1;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        }
      }
    }
  }
}
