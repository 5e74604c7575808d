import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Node arguments that let {@link liveHeapBytes} ask the process for a heap snapshot. */
export const heapSnapshotArgs = (dir: string): string[] => ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`];

/**
 * The live JS heap of a process started with {@link heapSnapshotArgs}: it is sent SIGUSR2,
 * V8 collects garbage and writes a heap snapshot into `dir`, and the snapshot's objects'
 * own sizes are summed. Black-box and exact where RSS only says how big the heap has grown.
 */
export async function liveHeapBytes(pid: number, dir: string, timeoutMs = 120_000): Promise<number> {
  const before = new Set(await fs.readdir(dir));
  process.kill(pid, 'SIGUSR2');
  const t0 = Date.now();
  let file: string | undefined;
  while (Date.now() - t0 < timeoutMs) {
    await new Promise((r) => setTimeout(r, 300));
    file ??= (await fs.readdir(dir)).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
    if (!file) continue;
    try {
      const snap = JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')) as { snapshot: { meta: { node_fields: string[] } }; nodes: number[] };
      const fields = snap.snapshot.meta.node_fields;
      const self = fields.indexOf('self_size');
      let sum = 0;
      for (let i = self; i < snap.nodes.length; i += fields.length) sum += snap.nodes[i]!;
      await fs.rm(path.join(dir, file), { force: true });
      return sum;
    } catch {
      // Still being written.
    }
  }
  throw new Error(`no heap snapshot from pid ${pid} within ${timeoutMs / 1000} s`);
}
