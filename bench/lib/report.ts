import type { BenchReport, LoadFigures } from '../run.js';

/** One target of the issue, and whether this run met it. */
export interface TargetResult {
  target: string;
  value: string;
  met: boolean;
}

const pick = (r: BenchReport, kind: string, c: number): LoadFigures | undefined => r.load.find((l) => l.kind === kind && l.concurrency === c);
const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const pad = (s: string, n: number): string => s.padStart(n);

/** The issue's targets against this report (those whose figures were measured). */
export function judge(r: BenchReport): TargetResult[] {
  const out: TargetResult[] = [];
  const e200 = pick(r, 'engine', 200);
  const n200 = pick(r, 'null', 200);
  if (e200 && n200) {
    const ratio = e200.perSecond / n200.perSecond;
    out.push({ target: 'throughput at 200 runs ≥ 0.8 × null responder', value: `${ratio.toFixed(2)} ×`, met: ratio >= 0.8 });
  }
  const e1 = pick(r, 'engine', 1);
  const n1 = pick(r, 'null', 1);
  if (e1 && n1) {
    const ratio = e1.latencyMs.p50 / n1.latencyMs.p50;
    out.push({ target: 'single-run p50 latency ≤ 1.3 × null responder', value: `${ratio.toFixed(1)} ×`, met: ratio <= 1.3 });
  }
  const s = r.startup;
  out.push({ target: `resume ${s.idleRuns.toLocaleString('en')} runs < 2 s`, value: `${ms(s.resumeMs)} ms`, met: s.resumeMs < 2000 });
  out.push({ target: 'memory per idle run < 20 KB', value: `${(s.bytesPerIdleRun / 1024).toFixed(1)} KB`, met: s.bytesPerIdleRun < 20 * 1024 });
  out.push({ target: 'headless start < 300 ms', value: `${ms(s.startMs)} ms`, met: s.startMs < 300 });
  return out;
}

/** The table of the README's Performance section, as Markdown. */
export function formatReport(r: BenchReport): string {
  const lines = [
    `Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${(r.machine.memoryBytes / 2 ** 30).toFixed(0)} GiB, ${r.machine.platform}, Node ${r.machine.node}; fsync on${r.machine.fsyncMs === undefined ? '' : ` (one write + fsync here: ${r.machine.fsyncMs.toFixed(1)} ms median)`}.`,
    '',
    '| concurrent runs | responder | messages/s | p50 ms | p99 ms | peak RSS MB | vs null: throughput | vs null: p50 |',
    '|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const l of r.load) {
    const n = pick(r, 'null', l.concurrency);
    const vs = l.kind === 'engine' && n ? [`${(l.perSecond / n.perSecond).toFixed(2)} ×`, `${(l.latencyMs.p50 / n.latencyMs.p50).toFixed(1)} ×`] : ['', ''];
    lines.push(
      `| ${l.concurrency} | ${l.kind === 'engine' ? 'teamstate' : 'null responder'} | ${l.perSecond.toFixed(0)} | ${ms(l.latencyMs.p50)} | ${ms(l.latencyMs.p99)} | ${(l.peakRssBytes / 2 ** 20).toFixed(0)} | ${vs[0]} | ${vs[1]} |`,
    );
  }
  const s = r.startup;
  lines.push(
    '',
    '| start and resume | value |',
    '|---|---:|',
    `| headless start to READY (empty workspace, median of ${s.startTries.length}) | ${ms(s.startMs)} ms |`,
    `| resume ${s.idleRuns.toLocaleString('en')} unfinished runs to READY (median of ${s.resumeTries.length}) | ${ms(s.resumeMs)} ms |`,
    `| RSS: empty / with ${s.idleRuns.toLocaleString('en')} idle runs | ${(s.rssEmptyBytes / 2 ** 20).toFixed(0)} MB / ${(s.rssIdleBytes / 2 ** 20).toFixed(0)} MB |`,
    `| memory per idle run | ${(s.bytesPerIdleRun / 1024).toFixed(1)} KB |`,
    '',
    '| target | this run | met |',
    '|---|---:|:---:|',
    ...judge(r).map((t) => `| ${t.target} | ${t.value} | ${t.met ? 'yes' : 'no'} |`),
  );
  const e = r.load.filter((l) => l.kind === 'engine');
  if (e.length > 0) {
    lines.push('', 'Engine p50 by exchange (ms):', '', `| concurrent runs | ${Object.keys(e[0]!.byExchange).join(' | ')} |`, `|---:|${Object.keys(e[0]!.byExchange).map(() => '---:').join('|')}|`);
    for (const l of e) lines.push(`| ${l.concurrency} | ${Object.values(l.byExchange).map((x) => pad(ms(x.p50), 1)).join(' | ')} |`);
  }
  return lines.join('\n');
}
