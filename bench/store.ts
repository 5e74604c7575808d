// Run store benchmark: `npx tsx bench/store.ts [--runs 10000] [--rounds 1]`
// (`node --expose-gc --import tsx bench/store.ts` for the memory figure).
// Prints appends/s with fsync on at 1 and 200 concurrent runs (each run appends one record,
// waits for it, appends the next: the engine's pattern), and the time to list and load the
// latest state of 10,000 persisted unfinished runs with a fresh store.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createFolderStore } from '../src/store/folder-store.js';
import { mapLimit } from '../src/store/map-limit.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const RESUME_RUNS = arg('runs', 10_000);
const ROUNDS = arg('rounds', 1);
const record = (seq: number): { seq: number; type: string; event: object } => ({
  seq,
  type: 'transition',
  event: { type: 'STEP_DONE', step: 'implementing', at: 1_764_000_000_000 + seq, findings: ['ok'] },
});

async function appendRate(runs: number, perRun: number, fsync: boolean, wal = false): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'teamstate-bench-'));
  const store = createFolderStore(dir, { fsync, wal });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: runs }, async (_, r) => {
      for (let seq = 1; seq <= perRun; seq++) await store.append(`run-${r}`, [record(seq)]);
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const s = store.stats();
  await store.close();
  await fs.rm(dir, { recursive: true, force: true });
  console.log(
    `append  runs=${String(runs).padStart(3)} fsync=${fsync ? 'on ' : 'off'} wal=${wal ? 'on ' : 'off'}  ${Math.round(s.appends / secs).toString().padStart(7)} appends/s` +
      `  (${s.appends} appends, ${s.batches} batches, ${(s.appends / s.batches).toFixed(1)} appends/batch, ${s.fsyncs} fsyncs)`,
  );
}

async function resume(n: number): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'teamstate-bench-'));
  const setup = createFolderStore(dir, { fsync: false });
  // Each run: 12 records, a snapshot at 10 (2 records after it), like an engine that snapshots every few steps.
  await mapLimit(Array.from({ length: n }, (_, i) => `run-${String(i).padStart(5, '0')}`), 64, async (id) => {
    await setup.append(id, Array.from({ length: 10 }, (_, i) => record(i + 1)));
    await setup.writeSnapshot(id, 10, { value: 'implementing', context: { task: id, fixCycles: 1, files: ['src/a.ts', 'src/b.ts'] } });
    await setup.append(id, [record(11), record(12)]);
  });
  await setup.close();

  globalThis.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const store = createFolderStore(dir);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const ids = await store.listRuns({ unfinishedOnly: true });
  const t1 = performance.now();
  const loaded = await mapLimit(ids, 64, (id) => store.load(id));
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const fromSnapshot = loaded.filter((l) => l.snapshot).length;
  // Drop the loaded states (the engine keeps its own) to see what the store itself keeps per run.
  loaded.length = 0;
  globalThis.gc?.();
  const perRun = (process.memoryUsage().heapUsed - heap0) / ids.length;
  console.log(
    `resume  ${ids.length} unfinished runs: list ${(t1 - t0).toFixed(0)} ms + load ${(t2 - t1).toFixed(0)} ms = ${((t2 - t0) / 1000).toFixed(2)} s` +
      ` (cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s)` +
      `  (${fromSnapshot} from snapshot; store keeps ~${Math.round(perRun)} bytes/run${globalThis.gc ? '' : ', run with --expose-gc for an exact figure'})`,
  );
  await store.close();
  await fs.rm(dir, { recursive: true, force: true });
}

console.log(`node ${process.version}, ${os.cpus().length} cpus, load ${os.loadavg()[0]?.toFixed(1)}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}, tmp=${os.tmpdir()}`);
// Rounds interleave the modes so a busy machine skews them alike.
for (let round = 0; round < ROUNDS; round++) {
  await appendRate(1, 300, true);
  await appendRate(200, 20, true);
  await appendRate(1, 300, true, true);
  await appendRate(200, 20, true, true);
  await appendRate(1, 300, false);
  await appendRate(200, 20, false);
}
await resume(RESUME_RUNS);
