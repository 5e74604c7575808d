import { open } from 'node:fs/promises';

/**
 * Calls `onLine` for each complete line appended to a file, polling every `everyMs` (the
 * file is written by another process). Returns a function that reads what is left, then stops.
 */
export function followLines(path: string, onLine: (line: string) => Promise<void> | void, everyMs = 200): () => Promise<void> {
  let offset = 0;
  let partial = '';
  let busy: Promise<void> = Promise.resolve();
  const read = async () => {
    let handle;
    try {
      handle = await open(path, 'r');
    } catch {
      return;
    }
    try {
      for (;;) {
        const buf = Buffer.alloc(64 * 1024);
        const { bytesRead } = await handle.read(buf, 0, buf.length, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        partial += buf.subarray(0, bytesRead).toString('utf8');
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) await onLine(line);
      }
    } finally {
      await handle.close();
    }
  };
  const tick = () => {
    busy = busy.then(read).catch(() => undefined);
  };
  const timer = setInterval(tick, everyMs);
  return async () => {
    clearInterval(timer);
    tick();
    await busy;
  };
}
