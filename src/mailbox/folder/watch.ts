import { watch } from 'chokidar';
import type { InboxPaths } from '../../workspace/paths.js';

/**
 * Wakes the engine when something lands in the inbox root, new/ or rejected/ (a rejected
 * file that changes is taken again). Chokidar is a hint (it has known lost-event issues);
 * callers also scan on a timer, the scan being the truth (DESIGN §4). `later` asks for a
 * wake-up after a delay (the earliest asked for wins): a file waited for, still being
 * written, is looked at again then.
 */
export function watchInbox(inbox: InboxPaths, wake: () => void, onError?: (message: string) => void): { later: (ms: number) => void; close: () => Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let due = Number.POSITIVE_INFINITY;
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
  const watcher = watch([inbox.root, inbox.new, inbox.rejected], { ignoreInitial: true, depth: 0 });
  watcher.on('add', wake).on('change', wake);
  watcher.on('error', (e) => onError?.(`watcher: ${String(e)}`));
  return {
    later,
    close: async () => {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
