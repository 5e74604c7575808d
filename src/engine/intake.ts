import { firstLine } from '../protocol/text.js';
import type { InboxEntry } from '../workspace/inbox.js';
import { ackEntry, listInbox, receive, rejectEntry } from '../workspace/inbox.js';
import type { RunEngine } from './engine.js';
import { isFinished } from './run-state.js';
import { taskFor } from './tasks.js';
import { route, toEvent } from './translate.js';

const PARALLEL_READS = 64;

/**
 * Takes the engine's own inbox in: every settled file is read once, routed to its run,
 * applied through the run's queue, and only then moved to cur/. Invalid or unroutable
 * files go to rejected/ with their reason. A file is never in hand twice.
 */
export class Intake {
  private readonly inHand = new Set<string>();

  constructor(
    private readonly engine: RunEngine,
    private readonly settleMs: number,
  ) {}

  /** Files currently being applied. */
  get busy(): number {
    return this.inHand.size;
  }

  /** One pass over the inbox; resolves when every file it took is applied and acknowledged. */
  async scan(): Promise<void> {
    const { paths, config } = this.engine.deps;
    const self = config.engine.member;
    const entries = (await listInbox(paths, self, { now: this.engine.now(), settleMs: this.settleMs })).filter((e) => !this.inHand.has(e.path));
    for (const e of entries) this.inHand.add(e.path);
    const received: Awaited<ReturnType<typeof receive>>[] = [];
    for (let i = 0; i < entries.length; i += PARALLEL_READS) {
      received.push(
        ...(await Promise.all(
          entries.slice(i, i + PARALLEL_READS).map((e) => receive(paths, config, self, e).catch((err: Error) => ({ ok: false as const, reason: err.message }))),
        )),
      );
    }
    // Routed in file order, so a run's messages are queued in the order they arrived.
    await Promise.all(entries.map((entry, i) => this.take(entry, received[i]!).finally(() => this.inHand.delete(entry.path))));
  }

  private async take(entry: InboxEntry, rec: Awaited<ReturnType<typeof receive>>): Promise<void> {
    const { engine } = this;
    const { paths, config } = engine.deps;
    const self = config.engine.member;
    const noSync = { fsync: false };
    try {
      if (!rec.ok && rec.retry) return; // Not the message's fault: read again at the next scan.
      if (!rec.ok) {
        await rejectEntry(paths, self, entry, rec.reason, { fsync: config.fsync });
        engine.warn(`rejected ${entry.name}: ${rec.reason}`);
        return;
      }
      const m = rec.message;
      const r = route(m, rec.key, {
        exists: (id) => engine.runs.has(id) || engine.creating.has(id),
        active: () => [...engine.runs.values()].filter((s) => !isFinished(s)).map((s) => s.runId),
      });
      if (r.kind === 'unrouted') {
        await rejectEntry(paths, self, entry, `unrouted: ${r.reason}`, { fsync: config.fsync });
        engine.warn(`kept ${entry.name} aside: ${r.reason}`);
        return;
      }
      const source = { kind: 'message' as const, key: rec.key, file: entry.name, from: rec.from, type: m.type, priority: m.priority, firstLine: firstLine(m.body), ...(m.task ? { task: m.task } : {}) };
      if (r.kind === 'new') engine.creating.add(r.runId);
      await engine
        .queue.run(r.runId, async () => {
          if (r.kind === 'new' && !engine.runs.has(r.runId)) {
            const subject = firstLine(m.body).replace(/^#+\s*/, '').replace(/^ANALYST REPORT\s*[—-]\s*/i, '') || 'untitled task';
            await engine.create(r.runId, await taskFor(paths, r.taskId, { subject, description: m.body }));
          }
          await engine.commit(r.runId, source, { ...toEvent(m, rec.from, m.id ?? rec.key) });
        })
        .finally(() => {
          if (r.kind === 'new') engine.creating.delete(r.runId);
        });
      await ackEntry(paths, self, entry, noSync);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Deleted by its writer while we read it: nothing left to keep.
      if (code === 'ENOENT') return;
      engine.warn(`could not take ${entry.name}: ${(e as Error).message}; it stays in the inbox and is tried again`);
    }
  }
}
