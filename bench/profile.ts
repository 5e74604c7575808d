// CPU profile of the engine under the benchmark's load, for finding what to make faster.
//
//   tsx bench/profile.ts [--concurrency 200] [--runs 200] [--out /tmp/teamstate-profile]
//
// Runs one driver pass against `teamstate start --headless --cpu-prof` and prints where
// the .cpuprofile went (open it in Chrome DevTools → Performance, or speedscope).
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DriverResult } from './driver.js';
import { argNumber, argString } from './lib/args.js';
import { benchWorkspace, runScript, startResponder, stopProcess } from './lib/processes.js';

async function main(): Promise<void> {
  const concurrency = argNumber('concurrency', 200);
  const runs = argNumber('runs', concurrency);
  const out = path.resolve(argString('out', path.join(os.tmpdir(), 'teamstate-profile')));
  await fs.mkdir(out, { recursive: true });
  const paths = await benchWorkspace('profile');
  const started = await startResponder('engine', paths.root, ['--cpu-prof', `--cpu-prof-dir=${out}`]);
  try {
    const r = await runScript<DriverResult>('driver.ts', ['--workspace', paths.root, '--concurrency', String(concurrency), '--runs', String(runs)]);
    process.stdout.write(`${r.messages} messages, ${r.perSecond.toFixed(0)} msg/s, p50 ${r.latencyMs.p50.toFixed(1)} ms, p99 ${r.latencyMs.p99.toFixed(1)} ms\n`);
  } finally {
    // The profile is written when the engine exits.
    await stopProcess(started.child);
    await fs.rm(paths.root, { recursive: true, force: true });
  }
  process.stdout.write(`profile: ${out}/CPU.*.${started.child.pid}.*.cpuprofile\n`);
}

await main();
