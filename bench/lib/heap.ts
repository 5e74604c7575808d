import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Node arguments that let {@link liveHeapBytes} ask the process for a heap snapshot. */
export const heapSnapshotArgs = (dir: string): string[] => ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`];

/** What a heap snapshot holds (bytes): all of it, and of that V8's code (bytecode, compiled code and their tables). */
export interface LiveHeap {
  bytes: number;
  codeBytes: number;
}

/**
 * The live JS heap of a process started with {@link heapSnapshotArgs}: it is sent SIGUSR2,
 * V8 collects garbage and writes a heap snapshot into `dir`, and the snapshot's objects'
 * own sizes are summed. Black-box and exact where RSS only says how big the heap has grown.
 */
export async function liveHeapBytes(pid: number, dir: string, timeoutMs = 120_000): Promise<LiveHeap> {
  const before = new Set(await fs.readdir(dir));
  process.kill(pid, 'SIGUSR2');
  const t0 = Date.now();
  let file: string | undefined;
  while (Date.now() - t0 < timeoutMs) {
    await new Promise((r) => setTimeout(r, 300));
    file ??= (await fs.readdir(dir)).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
    if (!file) continue;
    try {
      const snap = JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')) as { snapshot: { meta: { node_fields: string[]; node_types: unknown[] } }; nodes: number[] };
      const fields = snap.snapshot.meta.node_fields;
      const self = fields.indexOf('self_size');
      const type = fields.indexOf('type');
      const code = (snap.snapshot.meta.node_types[type] as string[]).indexOf('code');
      const out = { bytes: 0, codeBytes: 0 };
      for (let i = 0; i < snap.nodes.length; i += fields.length) {
        out.bytes += snap.nodes[i + self]!;
        if (snap.nodes[i + type] === code) out.codeBytes += snap.nodes[i + self]!;
      }
      await fs.rm(path.join(dir, file), { force: true });
      return out;
    } catch {
      // Still being written.
    }
  }
  throw new Error(`no heap snapshot from pid ${pid} within ${timeoutMs / 1000} s`);
}
