import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DriverResult } from '../../bench/driver.js';
import { percentile, summarize } from '../../bench/lib/args.js';
import { prng } from '../../bench/lib/crash-trials.js';
import { messageSeeds } from '../../bench/lib/fuzz-seeds.js';
import { mutateJson, mutateText, rngFrom } from '../../bench/lib/mutate.js';
import { benchWorkspace, cpuMsOf, runScript, startResponder, stopProcess } from '../../bench/lib/processes.js';
import { FULL, growthPerRun, medianPass, type LoadFigures } from '../../bench/lib/cases.js';
import { formatReport, judge, type BenchReport } from '../../bench/lib/report.js';
import { parseMessage } from '../../src/protocol/parse.js';

describe('the benchmark harness', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile([...values].sort((a, b) => a - b), 50)).toBe(50);
    expect(summarize(values)).toMatchObject({ n: 100, p50: 50, p99: 99, max: 100 });
    expect(Number.isNaN(summarize([]).p50)).toBe(true);
  });

  it('starts the fuzzer from messages the parser accepts', () => {
    const opts = { aliases: { builder: 'backend-engineer' }, defaultTo: 'backend-engineer', fileName: 'analyst--seed.md' };
    const rejected = messageSeeds().filter((s) => !parseMessage(s, opts).ok);
    expect(rejected).toEqual([]);
  });

  it('mutates the same way for the same seed', () => {
    const run = () => {
      const rng = rngFrom(prng(5));
      const seeds = messageSeeds();
      return Array.from({ length: 50 }, (_, i) => (i % 2 ? mutateText(rng, seeds[i % seeds.length]!, seeds[0]!) : mutateJson(rng, seeds[1]!)));
    };
    expect(run()).toEqual(run());
  });

  it('measures a long-lived heap\'s growth per finished run as the slope after the warm-up', () => {
    const KB = 1024;
    const finished = [250, 250, 250, 250, 250];
    // A first-round jump (V8 compiling) is left out; every round after it counts.
    expect(growthPerRun([10_000 * KB, 11_000 * KB, 11_250 * KB, 11_500 * KB, 11_750 * KB], finished, 2)).toBeCloseTo(KB);
    expect(growthPerRun([10_000 * KB, 11_000 * KB, 11_000 * KB, 11_000 * KB, 11_000 * KB], finished, 2)).toBeCloseTo(0);
    expect(growthPerRun([10_000 * KB, 11_000 * KB, 11_000 * KB, 11_000 * KB, 11_500 * KB], finished, 2)).toBeCloseTo(0.6 * KB);
    // Counted from the first round when there is no warm-up to leave out.
    expect(growthPerRun([10_000 * KB, 11_000 * KB, 12_000 * KB], [250, 250, 250], 1)).toBeCloseTo(4 * KB);
    expect(growthPerRun([10_000 * KB], [250], 1)).toBeNaN();
  });

  it('reports the median of passes taken in turns, with every pass beside it', () => {
    const passes = [{ perSecond: 500, tag: 'a' }, { perSecond: 300, tag: 'b' }, { perSecond: 900, tag: 'c' }];
    expect(medianPass(passes, (p) => p.perSecond)).toEqual({ pass: passes[0], values: [500, 300, 900] });
    expect(medianPass(passes.slice(0, 2), (p) => p.perSecond).pass.tag).toBe('b');
    expect(medianPass([passes[2]!], (p) => p.perSecond)).toEqual({ pass: passes[2], values: [900] });
  });

  it('judges each target of #11 as a ratio to its peer from the same run', () => {
    const pass = (perSecond: number, p50: number, peakRssBytes: number, extra: Partial<LoadFigures> = {}): LoadFigures => ({
      concurrency: 200,
      runs: 200,
      messages: 800,
      seconds: 800 / perSecond,
      perSecond,
      latencyMs: { n: 800, p50, p99: p50, mean: p50, max: p50 },
      byExchange: {},
      peakRssBytes,
      ...extra,
    });
    const MB = 2 ** 20;
    const serial = (p50: number) => ({ one: pass(100, p50, 0), serial: pass(100, p50, 0) });
    const report: BenchReport = {
      machine: { cpus: 2, cpuModel: 'x', memoryBytes: 1, node: 'v20', platform: 'linux', at: '', fsyncMs: 0.3, loadAverage: 1 },
      sizes: FULL,
      systems: {
        null: { load: pass(1000, 10, 100 * MB), serial: serial(2), start: { ms: 100, tries: [100], rssBytes: 50 * MB }, burst: { ...pass(2000, 1, 100 * MB), seconds: 2, firstMs: 100 }, longLived: { runsPerRound: 250, finished: [250, 250, 250], warmupRounds: 1, heapBytes: [20 * MB, 20 * MB, 20 * MB], codeBytes: [2 * MB, 2 * MB, 2 * MB], rssBytes: [60 * MB, 60 * MB, 60 * MB], growthPerRunBytes: 0 } },
        xstate: { load: pass(300, 20, 100 * MB), burst: { ...pass(400, 1, 200 * MB), seconds: 12, firstMs: 200 }, resume: { runs: 10_000, midStep: 1000, ms: 900, tries: [900], rssBytes: 1, bytesPerIdleRun: 2048 } },
        langgraph: { load: pass(100, 50, 160 * MB) },
        engine: {
          load: { ...pass(900, 12, 140 * MB), passes: [700, 900, 950], responderCpuMs: 1600, cpuMs: 800 },
          serial: serial(3),
          start: { ms: 250, tries: [250], rssBytes: 50 * MB },
          burst: { ...pass(1000, 1, 300 * MB), seconds: 8, firstMs: 400, unfinished: 0 },
          longLived: { runsPerRound: 250, finished: [250, 250, 250], warmupRounds: 1, heapBytes: [30 * MB, 31 * MB, 35 * MB], codeBytes: [3 * MB, 3 * MB, 3 * MB], rssBytes: [60 * MB, 61 * MB, 70 * MB], growthPerRunBytes: (5 * MB) / 500 },
          resume: { runs: 10_000, midStep: 1000, ms: 800, tries: [800], rssBytes: 1, bytesPerIdleRun: 4096 },
        },
      },
    };
    const targets = judge(report);
    expect(targets.map((t) => [t.ratio, t.met])).toEqual([
      ['0.90 ×', true], // msg/s vs null
      ['3.00 ×', true], // vs XState
      ['9.00 ×', true], // vs LangGraph
      ['1.40 ×', true], // peak RSS vs XState
      ['1.50 ×', false], // serial p50 vs null
      ['2.00 ×', true], // memory per idle run (vs XState's)
      ['1.17 ×', false], // long-lived growth, vs null's
      ['4.00 ×', true], // first PLAN (vs null's)
      ['4.00 ×', false], // all PLANs vs null
      ['1.50 ×', false], // burst RSS (vs XState's)
      ['0.89 ×', true], // resume (vs XState's)
      ['2.50 ×', false], // start (vs null's)
    ]);
    const text = formatReport(report);
    expect(text).toContain('| teamstate | 900 | 12.0 / 12.0 ms | 140 MB | 2.00 / 1.00 ms | 3.0 ms | 3.0 ms |');
    // The least a durable reply can take here, beside the serial target: the null's p50 plus one fsync.
    expect(text).toContain('needs at least its p50 plus one write + fsync, 2.0 + 0.3 = 2.3 ms here, 1.15 × the null responder\'s');
    // A report from before the CPU was measured shows it as not known.
    expect(text).toContain('| LangGraph.js + SqliteSaver | 100 | 50.0 / 50.0 ms | 160 MB | — / — ms |');
    expect(text).toContain('| 200 concurrent runs: messages/s ≥ 2 × the naive XState peer | 900 msg/s (median of 3 passes: 700, 900, 950) | naive XState: 300 msg/s | 3.00 × | met |');
  });

  it("reads a process's CPU from /proc, all its threads", async () => {
    // A child that spins for 300 ms of CPU, then waits to be read.
    const child = spawn(process.execPath, ['-e', "const t = process.cpuUsage(); while (process.cpuUsage(t).user < 300_000); console.log('spun'); setTimeout(() => {}, 60_000);"], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      expect(cpuMsOf(child.pid!)).toBeGreaterThanOrEqual(300);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('drives whole lifecycles against the null responder and counts every reply', async () => {
    const paths = await benchWorkspace('harness');
    const started = await startResponder('null', paths.root);
    try {
      const result = await runScript<DriverResult>('driver.ts', ['--workspace', paths.root, '--concurrency', '2', '--runs', '3']);
      expect(result.messages).toBe(3 * 4);
      expect(result.cpuMs).toBeGreaterThan(0);
      expect(Object.values(result.byExchange).map((s) => s.n)).toEqual([3, 3, 3, 3]);
    } finally {
      await stopProcess(started.child);
      await fs.rm(paths.root, { recursive: true, force: true });
    }
  });
});
