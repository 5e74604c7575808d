import { promises as fs } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DriverResult } from '../../bench/driver.js';
import { percentile, summarize } from '../../bench/lib/args.js';
import { prng } from '../../bench/lib/crash-trials.js';
import { messageSeeds } from '../../bench/lib/fuzz-seeds.js';
import { mutateJson, mutateText, rngFrom } from '../../bench/lib/mutate.js';
import { benchWorkspace, runScript, startResponder, stopProcess } from '../../bench/lib/processes.js';
import { formatReport, judge } from '../../bench/lib/report.js';
import type { BenchReport } from '../../bench/run.js';
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

  it('judges the targets as ratios to the null responder', () => {
    const load = (kind: 'engine' | 'null', concurrency: number, perSecond: number, p50: number) => ({
      kind,
      concurrency,
      perSecond,
      readyMs: 0,
      peakRssBytes: 1,
      runs: 1,
      messages: 4,
      seconds: 1,
      latencyMs: { n: 4, p50, p99: p50, mean: p50, max: p50 },
      byExchange: {},
    });
    const report: BenchReport = {
      machine: { cpus: 2, cpuModel: 'x', memoryBytes: 1, node: 'v20', platform: 'linux', at: '' },
      load: [load('null', 1, 100, 1), load('engine', 1, 50, 2), load('null', 200, 1000, 10), load('engine', 200, 900, 20)],
      startup: { startMs: 250, startTries: [250], rssEmptyBytes: 0, idleRuns: 10_000, resumeMs: 2500, resumeTries: [2500], rssIdleBytes: 10_000 * 1024, bytesPerIdleRun: 1024 },
    };
    expect(judge(report).map((t) => t.met)).toEqual([true, false, false, true, true]);
    expect(formatReport(report)).toContain('| 200 | teamstate | 900 | 20.0 | 20.0 | 0 | 0.90 × | 2.0 × |');
  });

  it('drives whole lifecycles against the null responder and counts every reply', async () => {
    const paths = await benchWorkspace('harness');
    const started = await startResponder('null', paths.root);
    try {
      const result = await runScript<DriverResult>('driver.ts', ['--workspace', paths.root, '--concurrency', '2', '--runs', '3']);
      expect(result.messages).toBe(3 * 4);
      expect(Object.values(result.byExchange).map((s) => s.n)).toEqual([3, 3, 3, 3]);
    } finally {
      await stopProcess(started.child);
      await fs.rm(paths.root, { recursive: true, force: true });
    }
  });
});
