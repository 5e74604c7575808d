import { fsyncDir } from './atomic.js';

/**
 * fsyncs of folders, shared: callers that ask while no round of a folder has started yet
 * share the next one, which starts once the round in flight (if any) is over, so it covers
 * every name made in the folder before each caller asked. Replies staged for one recipient
 * by many runs at once cost one folder fsync per round instead of one each.
 */
export class SharedDirSync {
  /** Per folder: the round callers may still join (it has not started yet), or the one in flight. */
  private readonly rounds = new Map<string, { started: boolean; done: Promise<void> }>();

  constructor(private readonly sync: (dir: string) => Promise<void> = fsyncDir) {}

  fsync(dir: string): Promise<void> {
    const last = this.rounds.get(dir);
    if (last && !last.started) return last.done;
    const before = last?.done.catch(() => undefined) ?? Promise.resolve();
    const round = { started: false, done: Promise.resolve() };
    round.done = before
      .then(() => {
        round.started = true;
        return this.sync(dir);
      })
      .finally(() => {
        if (this.rounds.get(dir) === round) this.rounds.delete(dir);
      });
    this.rounds.set(dir, round);
    return round.done;
  }
}

const shared = new SharedDirSync();

/** {@link SharedDirSync.fsync} of the process's one instance. */
export const fsyncDirShared = (dir: string): Promise<void> => shared.fsync(dir);
