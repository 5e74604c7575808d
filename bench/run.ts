// `npm run bench`: the performance figures of the README (issue #11), measured black-box,
// every system side by side in one run.
//
//   tsx bench/run.ts [--cases start,serial,load,long,burst,resume] [--systems null,xstate,langgraph,teamstate]
//                    [--quick] [--json FILE]
//
// Systems: the null responder (bench/null-responder.ts: no state, no fsync), the peers of
// bench/peers/ (a naive XState v5 program that rewrites an fsync'd JSON snapshot per
// transition; LangGraph.js with SqliteSaver, interrupts for the waits: each with its own
// dependencies, installed here on first use) and teamstate itself (the built CLI, `start
// --headless`, on an `instant` workspace, fsync on). Each answers the same driver
// (bench/driver.ts) dropping the same messages. Cases, each run for every system before
// the next case, so all see the machine alike:
//   start   spawn to READY on an empty workspace
//   serial  one lifecycle on a fresh process, then 20 one after another: p50 reply
//   load    200 concurrent runs: messages/s, p50/p99, peak RSS
//   long    a long-lived process: live heap (heap snapshot) and RSS after rounds of finished lifecycles
//   burst   5,000 handoffs dropped at once: first PLAN, all PLANs, peak RSS
//   resume  10,000 unfinished runs (one in ten mid-step) to READY, memory per idle run
// Prints the tables and the targets of #11 (each a ratio to its peer from this run, met or
// missed). A full run writes bench/results.json; a partial one only with --json.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/package-root.js';
import { argFlag, argString, summarize } from './lib/args.js';
import { burstCase, FULL, loadCase, longLivedCase, medianPass, QUICK, resumeCase, serialCase, startCase, type LoadFigures, type SerialFigures, type StartFigures } from './lib/cases.js';
import { ensurePeer, RESPONDERS, type ResponderKind } from './lib/processes.js';
import { formatReport, judge, type BenchReport, type SystemFigures } from './lib/report.js';

const CASES = ['start', 'serial', 'load', 'long', 'burst', 'resume'] as const;
type CaseName = (typeof CASES)[number];

function list<T extends string>(name: string, all: readonly T[], alias: Record<string, T> = {}): T[] {
  const raw = argString(name, all.join(','));
  const picked = raw.split(',').map((v) => alias[v.trim()] ?? (v.trim() as T));
  const bad = picked.filter((v) => !all.includes(v));
  if (bad.length > 0) throw new Error(`--${name}: unknown ${bad.join(', ')} (choose from ${all.join(', ')})`);
  return all.filter((v) => picked.includes(v));
}

const sizes = argFlag('quick') ? QUICK : FULL;
const cases = list<CaseName>('cases', CASES);
const systems = list<ResponderKind>('systems', RESPONDERS, { teamstate: 'engine' });
const full = cases.length === CASES.length && systems.length === RESPONDERS.length && !argFlag('quick');
const jsonOut = argString('json', full ? path.join(packageRoot(), 'bench', 'results.json') : '');

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

const log = (line: string) => process.stderr.write(`${line}\n`);
const label = (k: ResponderKind) => (k === 'engine' ? 'teamstate' : k).padEnd(9);

async function main(): Promise<void> {
  const cpus = os.cpus();
  const report: BenchReport = {
    machine: { cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', memoryBytes: os.totalmem(), node: process.version, platform: `${process.platform} ${os.release()}`, at: new Date().toISOString(), fsyncMs: await fsyncLatency(os.tmpdir()), loadAverage: os.loadavg()[0] ?? NaN },
    sizes,
    systems: Object.fromEntries(systems.map((k) => [k, {} as SystemFigures])),
  };
  log(`teamstate bench on ${cpus.length} × ${report.machine.cpuModel}, Node ${process.version}, load ${report.machine.loadAverage.toFixed(1)}: ${cases.join(', ')} for ${systems.map(label).map((s) => s.trim()).join(', ')}`);
  for (const k of systems) await ensurePeer(k);
  const t0 = performance.now();

  const run = async <K extends keyof SystemFigures>(name: CaseName, key: K, k: ResponderKind, fn: () => Promise<NonNullable<SystemFigures[K]>>, say: (v: NonNullable<SystemFigures[K]>) => string) => {
    const f = report.systems[k]!;
    const t = performance.now();
    try {
      f[key] = await fn();
      log(`  ${name.padEnd(6)} ${label(k)} ${say(f[key]!)}  (${((performance.now() - t) / 1000).toFixed(0)} s)`);
    } catch (e) {
      (f.errors ??= {})[key] = (e as Error).message.split('\n')[0]!;
      log(`  ${name.padEnd(6)} ${label(k)} failed: ${(e as Error).message.slice(0, 400)}`);
    }
  };
  /** Passes of a case, every system's taking turns with the others', then each system's median pass. */
  const inTurns = async <K extends 'serial' | 'load', F extends NonNullable<SystemFigures[K]>>(name: CaseName, key: K, pass: (k: ResponderKind) => Promise<F>, by: (v: F) => number, say: (v: F) => string) => {
    const got = new Map<ResponderKind, F[]>(systems.map((k) => [k, []]));
    for (let p = 0; p < sizes.passes; p++) {
      for (const k of systems) {
        const pk = `${p + 1}/${sizes.passes}`;
        await run(name, key, k, () => pass(k), (v) => `${say(v as F)}${sizes.passes > 1 ? `  (pass ${pk})` : ''}`);
        const v = report.systems[k]![key] as F | undefined;
        if (v) got.get(k)!.push(v);
        delete report.systems[k]![key];
      }
    }
    for (const k of systems) {
      const all = got.get(k)!;
      if (all.length === 0) continue;
      const { pass: median, values } = medianPass(all, by);
      (report.systems[k]![key] as F) = (all.length > 1 ? { ...median, passes: values } : median) as F;
    }
  };
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
  const empties = new Map<ResponderKind, StartFigures>();
  for (const c of cases) {
    if (c === 'serial') {
      await inTurns(c, 'serial', (k) => serialCase(k, sizes), (v: SerialFigures) => v.serial.latencyMs.p50, (s) => `1 run p50 ${s.one.latencyMs.p50.toFixed(1)} ms, ${sizes.serialRuns} in a row p50 ${s.serial.latencyMs.p50.toFixed(1)} ms`);
      continue;
    }
    if (c === 'load') {
      await inTurns(c, 'load', (k) => loadCase(k, sizes), (v: LoadFigures) => v.perSecond, (l) => `${l.perSecond.toFixed(0)} msg/s, p50 ${l.latencyMs.p50.toFixed(1)} ms, p99 ${l.latencyMs.p99.toFixed(0)} ms, peak ${mb(l.peakRssBytes)}${l.unfinished ? `, ${l.unfinished} runs unfinished` : ''}`);
      continue;
    }
    for (const k of systems) {
      switch (c) {
        case 'start':
          await run(c, 'start', k, async () => {
            const s = await startCase(k, sizes);
            empties.set(k, s);
            return s;
          }, (s) => `READY in ${s.ms.toFixed(0)} ms, ${mb(s.rssBytes)}`);
          break;
        case 'long':
          await run(c, 'longLived', k, () => longLivedCase(k, sizes), (l) => `live heap ${l.heapBytes.map(mb).join(' → ')} (RSS ${l.rssBytes.map(mb).join(' → ')}), ${(l.growthPerRunBytes / 1024).toFixed(2)} KB per finished run`);
          break;
        case 'burst':
          await run(c, 'burst', k, () => burstCase(k, sizes), (b) => `all ${b.seconds.toFixed(1)} s${b.unfinished ? ` (${b.unfinished} unanswered at the deadline)` : ''}, first ${(b.firstMs ?? NaN).toFixed(0)} ms, peak ${mb(b.peakRssBytes)}`);
          break;
        case 'resume':
          if (k === 'null') break;
          await run(c, 'resume', k, async () => {
            const empty = empties.get(k) ?? (await startCase(k, sizes));
            return resumeCase(k, sizes, empty);
          }, (r) => `${r.runs} runs to READY in ${r.ms.toFixed(0)} ms, ${(r.bytesPerIdleRun / 1024).toFixed(1)} KB per idle run`);
          break;
      }
    }
  }
  log(`  done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  if (jsonOut) {
    await fs.mkdir(path.dirname(path.resolve(jsonOut)), { recursive: true });
    await fs.writeFile(jsonOut, `${JSON.stringify({ ...report, targets: judge(report) }, null, 2)}\n`);
  }
  process.stdout.write(`${formatReport(report)}\n${jsonOut ? `\nJSON: ${path.relative(process.cwd(), jsonOut)}\n` : ''}`);
}

await main();
