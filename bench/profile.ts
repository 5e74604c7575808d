// CPU profile of the engine in one of the benchmark's cases, for finding what to make faster.
//
//   tsx bench/profile.ts [--case load|burst|serial|resume] [--concurrency 200] [--runs 200]
//                        [--burst 5000] [--idle 10000] [--out /tmp/teamstate-profile]
//
// Runs the case against `teamstate start --headless --cpu-prof` and prints where the
// .cpuprofile went (open it in Chrome DevTools → Performance, or speedscope), with the
// functions that took the most CPU themselves.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DriverResult } from './driver.js';
import { argNumber, argString } from './lib/args.js';
import { benchWorkspace, memoryOf, runScript, startResponder, stopProcess } from './lib/processes.js';
import { topSelf } from './lib/profile-top.js';
import { makeIdleRuns } from './lib/resume.js';

async function main(): Promise<void> {
  const which = argString('case', 'load');
  const out = path.resolve(argString('out', path.join(os.tmpdir(), 'teamstate-profile')));
  await fs.mkdir(out, { recursive: true });
  const paths = await benchWorkspace('profile');
  if (which === 'resume') await makeIdleRuns(paths, argNumber('idle', 10_000));
  const started = await startResponder('engine', paths.root, ['--cpu-prof', `--cpu-prof-dir=${out}`]);
  try {
    const driver = (args: string[]) => runScript<DriverResult>('driver.ts', ['--workspace', paths.root, ...args]);
    let r: DriverResult | undefined;
    if (which === 'load') {
      const concurrency = argNumber('concurrency', 200);
      r = await driver(['--concurrency', String(concurrency), '--runs', String(argNumber('runs', concurrency))]);
    } else if (which === 'serial') r = await driver(['--concurrency', '1', '--runs', String(argNumber('runs', 20))]);
    else if (which === 'burst') r = await driver(['--burst', String(argNumber('burst', 5000))]);
    else if (which !== 'resume') throw new Error(`--case: load, burst, serial or resume, not ${which}`);
    if (r) process.stdout.write(`${r.messages} messages, ${r.perSecond.toFixed(0)} msg/s, p50 ${r.latencyMs.p50.toFixed(1)} ms, p99 ${r.latencyMs.p99.toFixed(1)} ms${r.firstMs === undefined ? '' : `, first ${r.firstMs.toFixed(0)} ms`}\n`);
    else {
      process.stdout.write(`READY in ${started.readyMs.toFixed(0)} ms\n`);
      // What READY left running (resumed steps, deliveries) is in the profile too.
      await new Promise((r) => setTimeout(r, 2000));
    }
    process.stdout.write(`peak RSS ${(memoryOf(started.child.pid!).peak / 2 ** 20).toFixed(0)} MB\n`);
  } finally {
    // The profile is written when the engine exits.
    await stopProcess(started.child);
    await fs.rm(paths.root, { recursive: true, force: true });
  }
  const file = (await fs.readdir(out)).find((f) => f.includes(`.${started.child.pid}.`) && f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile of pid ${started.child.pid} in ${out}`);
  process.stdout.write(`profile: ${path.join(out, file)}\nself time, top functions:\n`);
  for (const h of await topSelf(path.join(out, file))) process.stdout.write(`  ${h.selfPct.toFixed(1).padStart(5)} %  ${h.fn}\n`);
}

await main();
