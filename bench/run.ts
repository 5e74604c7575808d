// `npm run bench`: the performance figures of the README, measured black-box.
//
//   tsx bench/run.ts [--concurrency 1,200,1000] [--idle 10000] [--quick] [--json bench/results.json]
//
// For each concurrency, a driver process (bench/driver.ts) plays the rest of the team
// against `teamstate start --headless` on an `instant` workspace (fsync on), and then
// against the null responder (bench/null-responder.ts) through the same driver: every
// engine figure is also shown as a ratio to what the harness itself allows here.
// Then: start time on an empty workspace, and the time and memory to resume 10,000
// persisted unfinished runs. Prints a table and writes the JSON file.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/package-root.js';
import { argFlag, argNumber, argString, summarize } from './lib/args.js';
import { startupFigures, type StartupFigures } from './lib/startup.js';
import { benchWorkspace, memoryOf, runScript, startResponder, stopProcess, type ResponderKind } from './lib/processes.js';
import { formatReport, judge } from './lib/report.js';
import type { DriverResult } from './driver.js';

/** One responder at one concurrency. */
export interface LoadFigures extends DriverResult {
  kind: ResponderKind;
  readyMs: number;
  peakRssBytes: number;
}

/** Everything one `npm run bench` measured. */
export interface BenchReport {
  machine: { cpus: number; cpuModel: string; memoryBytes: number; node: string; platform: string; at: string; fsyncMs?: number };
  load: LoadFigures[];
  startup: StartupFigures;
}

const quick = argFlag('quick');
const concurrencies = argString('concurrency', '1,200,1000').split(',').map(Number);
/** Runs driven at each concurrency: enough for a p99, bounded so the whole bench takes minutes. */
const runsAt = (c: number): number => (quick ? Math.max(c, 5) : c === 1 ? 50 : Math.max(c, 400));
const idle = argNumber('idle', quick ? 1000 : 10_000);
const jsonOut = path.resolve(argString('json', path.join(packageRoot(), 'bench', 'results.json')));

async function load(kind: ResponderKind, concurrency: number): Promise<LoadFigures> {
  const paths = await benchWorkspace(`${kind}-${concurrency}`);
  const started = await startResponder(kind, paths.root);
  try {
    const result = await runScript<DriverResult>('driver.ts', ['--workspace', paths.root, '--concurrency', String(concurrency), '--runs', String(runsAt(concurrency))]);
    const figures: LoadFigures = { kind, readyMs: started.readyMs, peakRssBytes: memoryOf(started.child.pid!).peak, ...result };
    process.stderr.write(`  ${kind.padEnd(6)} c=${String(concurrency).padEnd(5)} ${result.perSecond.toFixed(0)} msg/s, p50 ${result.latencyMs.p50.toFixed(1)} ms, p99 ${result.latencyMs.p99.toFixed(1)} ms\n`);
    return figures;
  } finally {
    await stopProcess(started.child);
    await fs.rm(paths.root, { recursive: true, force: true });
  }
}

/** Median time of one small write + fsync on the benchmark's disk: the floor under any durable reply. */
async function fsyncLatency(dir: string): Promise<number> {
  const file = path.join(dir, `teamstate-fsync-${process.pid}`);
  const fh = await fs.open(file, 'w');
  const times: number[] = [];
  try {
    for (let i = 0; i < 100; i++) {
      const t0 = performance.now();
      await fh.write('one journal line\n');
      await fh.sync();
      times.push(performance.now() - t0);
    }
  } finally {
    await fh.close();
    await fs.rm(file, { force: true });
  }
  return summarize(times).p50;
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  const report: BenchReport = {
    machine: { cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', memoryBytes: os.totalmem(), node: process.version, platform: `${process.platform} ${os.release()}`, at: new Date().toISOString() },
    load: [],
    startup: undefined as unknown as StartupFigures,
  };
  report.machine.fsyncMs = await fsyncLatency(os.tmpdir());
  process.stderr.write(`teamstate bench on ${cpus.length} × ${report.machine.cpuModel}, Node ${process.version}\n`);
  for (const c of concurrencies) {
    // Null first, then the engine, at each level: both see the machine in the same state.
    report.load.push(await load('null', c));
    report.load.push(await load('engine', c));
  }
  process.stderr.write(`  start and resume of ${idle} idle runs…\n`);
  report.startup = await startupFigures(idle);
  await fs.mkdir(path.dirname(jsonOut), { recursive: true });
  await fs.writeFile(jsonOut, `${JSON.stringify({ ...report, targets: judge(report) }, null, 2)}\n`);
  process.stdout.write(`${formatReport(report)}\nJSON: ${path.relative(process.cwd(), jsonOut)}\n`);
}

await main();
