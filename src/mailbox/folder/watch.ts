import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import path from 'node:path';
import type { InboxPaths } from '../../workspace/paths.js';

/**
 * Wakes the engine when something lands in the inbox root, new/ or rejected/ (a rejected
 * file that changes is taken again). A hint only: callers also scan on a timer, the scan
 * being the truth (DESIGN §4). The folders are watched as they are (inotify and its
 * kin, through `fs.watch`), without looking at their files: a watcher that lists or stats
 * the folder on each event (as chokidar does) costs thousands of lstats per event in a
 * burst of thousands of files. Events of one moment make one wake-up; those of the
 * engine's own moves out of the inbox (`own`) make none. `later` asks for a
 * wake-up after a delay (the earliest asked for wins): a file waited for, still being
 * written, is looked at again then.
 */
export function watchInbox(
  inbox: InboxPaths,
  wake: () => void,
  onError?: (message: string) => void,
  /** Whether an event of `file` is this process's own doing (a message it moved out): no wake-up then. */
  own: (file: string) => boolean = () => false,
): { later: (ms: number) => void; close: () => Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let due = Number.POSITIVE_INFINITY;
  let closed = false;
  const later = (ms: number): void => {
    const at = Date.now() + Math.max(0, Math.min(ms, 60_000));
    if (timer && at >= due) return;
    clearTimeout(timer);
    due = at;
    timer = setTimeout(() => {
      timer = undefined;
      due = Number.POSITIVE_INFINITY;
      wake();
    }, at - Date.now());
    timer.unref();
  };
  let queued = false;
  const nudge = (): void => {
    if (queued || closed) return;
    queued = true;
    setImmediate(() => {
      queued = false;
      if (!closed) wake();
    });
  };
  const watchers: FSWatcher[] = [];
  for (const dir of [inbox.root, inbox.new, inbox.rejected]) {
    try {
      const w = watch(dir, (_event, name) => {
        if (typeof name === 'string' && own(path.join(dir, name))) return;
        nudge();
      });
      w.on('error', (e) => onError?.(`watcher of ${dir}: ${e.message}; the inbox is still scanned on a timer`));
      watchers.push(w);
    } catch (e) {
      onError?.(`cannot watch ${dir} (${(e as NodeJS.ErrnoException).code ?? String(e)}); the inbox is still scanned on a timer`);
    }
  }
  return {
    later,
    close: async () => {
      closed = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
