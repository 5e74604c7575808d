import type { CaseSizes, LoadFigures, LongLivedFigures, ResumeFigures, SerialFigures, StartFigures } from './cases.js';
import { RESPONDER_NAMES, RESPONDERS, type ResponderKind } from './processes.js';

/** What one responder showed in each case that was run (or why a case did not finish). */
export interface SystemFigures {
  load?: LoadFigures;
  serial?: SerialFigures;
  longLived?: LongLivedFigures;
  burst?: LoadFigures;
  start?: StartFigures;
  resume?: ResumeFigures;
  /** Case → why it has no figures. */
  errors?: Record<string, string>;
}

/** Everything one `npm run bench` measured. */
export interface BenchReport {
  machine: { cpus: number; cpuModel: string; memoryBytes: number; node: string; platform: string; at: string; fsyncMs: number; loadAverage: number };
  sizes: CaseSizes;
  systems: Partial<Record<ResponderKind, SystemFigures>>;
}

/** One target of issue #11: teamstate's figure, the peer's from the same run, their ratio, met or not. */
export interface TargetResult {
  target: string;
  teamstate: string;
  /** The peer the target is measured against, and its figure. */
  reference: string;
  ratio: string;
  met: boolean;
}

const MB = 2 ** 20;
const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const secs = (v: number): string => `${v.toFixed(1)} s`;
const mb = (v: number): string => `${(v / MB).toFixed(0)} MB`;
const kb = (v: number): string => `${(v / 1024).toFixed(1)} KB`;
const x = (v: number): string => (Number.isFinite(v) ? `${v >= 10 ? v.toFixed(0) : v.toFixed(2)} ×` : '—');
const n = (v: number): string => v.toLocaleString('en');

/** ` (median of 3 passes: a, b, c)`, for a figure taken in several passes; nothing for one. */
function ofPasses(passes: number[] | undefined, fmt: (v: number) => string): string {
  return passes && passes.length > 1 ? ` (median of ${passes.length} passes: ${passes.map(fmt).join(', ')})` : '';
}

/** A burst's figure for the table: all PLANs in, or how far it got before the deadline. */
function burstAll(b: LoadFigures): string {
  return b.unfinished ? `> ${secs(b.seconds)} (${n(b.runs - b.unfinished)} of ${n(b.runs)})` : secs(b.seconds);
}

/**
 * The CPU a pass took per message: the responder's (all its threads) and the driver's. The
 * two share the machine's cores, so at full load what the driver takes bounds the rate any
 * responder can reach.
 */
function cpuPerMessage(l: LoadFigures): string {
  const per = (v: number | undefined) => (v === undefined ? '—' : (v / l.messages).toFixed(2));
  return `${per(l.responderCpuMs)} / ${per(l.cpuMs)} ms`;
}

/** The issue's targets against this report: those whose figures were measured. */
export function judge(r: BenchReport): TargetResult[] {
  const out: TargetResult[] = [];
  const e = r.systems.engine ?? {};
  const ref = (k: ResponderKind) => r.systems[k] ?? {};
  const peer = (k: ResponderKind, v: string) => `${RESPONDER_NAMES[k].split(' (')[0]!.split(',')[0]}: ${v}`;
  const add = (target: string, teamstate: string, reference: string, ratio: number, met: boolean) => out.push({ target, teamstate, reference, ratio: x(ratio), met });

  const c = r.sizes.loadConcurrency;
  if (e.load) {
    for (const [k, want] of [['null', 0.8], ['xstate', 2], ['langgraph', 5]] as const) {
      const p = ref(k).load;
      if (!p) continue;
      const ratio = e.load.perSecond / p.perSecond;
      add(`${c} concurrent runs: messages/s ≥ ${want} × ${k === 'null' ? 'the null responder' : k === 'xstate' ? 'the naive XState peer' : 'LangGraph'}`, `${e.load.perSecond.toFixed(0)} msg/s${ofPasses(e.load.passes, (v) => v.toFixed(0))}`, peer(k, `${p.perSecond.toFixed(0)} msg/s${ofPasses(p.passes, (v) => v.toFixed(0))}`), ratio, ratio >= want && !e.load.unfinished);
    }
    const xs = ref('xstate').load;
    if (xs) {
      const ratio = e.load.peakRssBytes / xs.peakRssBytes;
      add(`peak RSS at ${c} runs ≤ 1.5 × the naive XState peer`, mb(e.load.peakRssBytes), peer('xstate', mb(xs.peakRssBytes)), ratio, ratio <= 1.5);
    }
  }
  const nul = ref('null');
  if (e.serial && nul.serial) {
    const ratio = e.serial.serial.latencyMs.p50 / nul.serial.serial.latencyMs.p50;
    add(`${r.sizes.serialRuns} lifecycles one after another: p50 reply ≤ 1.3 × the null responder`, `${ms(e.serial.serial.latencyMs.p50)} ms${ofPasses(e.serial.passes, ms)}`, peer('null', `${ms(nul.serial.serial.latencyMs.p50)} ms${ofPasses(nul.serial.passes, ms)}`), ratio, ratio <= 1.3);
  }
  if (e.resume) {
    const xs = ref('xstate').resume;
    add('memory per idle run < 5 KB', kb(e.resume.bytesPerIdleRun), xs ? peer('xstate', kb(xs.bytesPerIdleRun)) : '—', xs ? e.resume.bytesPerIdleRun / xs.bytesPerIdleRun : NaN, e.resume.bytesPerIdleRun < 5 * 1024);
  }
  if (e.longLived) {
    const l = e.longLived;
    const from = (f: LongLivedFigures) => Math.max(0, f.warmupRounds - 1);
    const growth = (f: LongLivedFigures) => f.heapBytes.at(-1)! / f.heapBytes[from(f)]!;
    const p = nul.longLived;
    const warm = l.finished.slice(0, from(l) + 1).reduce((a, b) => a + b, 0);
    const over = l.finished.slice(from(l) + 1).reduce((a, b) => a + b, 0);
    const code = `; V8's code ${mb(l.codeBytes[from(l)]!)} → ${mb(l.codeBytes.at(-1)!)}`;
    add(
      `long-lived: no growth with finished runs (live heap < 1 KB per finished run: its slope over ${n(over)} after ${n(warm)} to warm up)`,
      `${kb(l.growthPerRunBytes)} per run (${mb(l.heapBytes[from(l)]!)} → ${mb(l.heapBytes.at(-1)!)}${code})`,
      p ? peer('null', `${kb(p.growthPerRunBytes)} per run`) : '—',
      p ? growth(l) / growth(p) : NaN,
      l.growthPerRunBytes < 1024,
    );
  }
  if (e.burst) {
    const b = e.burst;
    const nb = nul.burst;
    const first = b.firstMs ?? Infinity;
    add(`${n(r.sizes.burst)} handoffs at once: first PLAN within 0.5 s`, `${ms(first)} ms`, nb ? peer('null', `${ms(nb.firstMs ?? NaN)} ms`) : '—', nb ? first / (nb.firstMs ?? NaN) : NaN, first <= 500);
    if (nb) {
      const ratio = b.seconds / nb.seconds;
      add(`${n(r.sizes.burst)} handoffs at once: all PLANs within 3 × the null responder`, burstAll(b), peer('null', burstAll(nb)), ratio, ratio <= 3 && !b.unfinished && !nb.unfinished);
    }
    const xb = ref('xstate').burst;
    add(`${n(r.sizes.burst)} handoffs at once: RSS under 250 MB`, mb(b.peakRssBytes), xb ? peer('xstate', mb(xb.peakRssBytes)) : '—', xb ? b.peakRssBytes / xb.peakRssBytes : NaN, b.peakRssBytes < 250 * MB);
  }
  if (e.resume) {
    const xs = ref('xstate').resume;
    add(`${n(e.resume.runs)} unfinished runs (${n(e.resume.midStep)} mid-step) resumed to READY in under 1 s`, `${ms(e.resume.ms)} ms`, xs ? peer('xstate', `${ms(xs.ms)} ms`) : '—', xs ? e.resume.ms / xs.ms : NaN, e.resume.ms < 1000);
  }
  if (e.start) {
    const ns = nul.start;
    add('headless start under 200 ms', `${ms(e.start.ms)} ms`, ns ? peer('null', `${ms(ns.ms)} ms`) : '—', ns ? e.start.ms / ns.ms : NaN, e.start.ms < 200);
  }
  return out;
}

/**
 * What the serial target asks against what a durable reply can take at least here: a reply
 * is handed over only once the record that sends it is on disk, so a responder as quick as
 * the null one takes its time plus at least one write + fsync (measured in the same run).
 */
function durableFloor(r: BenchReport): string | undefined {
  const nul = r.systems.null?.serial?.serial.latencyMs.p50;
  if (nul === undefined || !r.systems.engine?.serial) return undefined;
  const floor = nul + r.machine.fsyncMs;
  return `A durable reply is handed over only once its record is on disk: as quick a responder as the null one needs at least its p50 plus one write + fsync, ${ms(nul)} + ${ms(r.machine.fsyncMs)} = ${ms(floor)} ms here, ${x(floor / nul)} the null responder's (the serial target asks for 1.3 ×).`;
}

/** The README's Performance tables, as Markdown: every system side by side, then the targets. */
export function formatReport(r: BenchReport): string {
  const m = r.machine;
  const s = r.sizes;
  const kinds = RESPONDERS.filter((k) => r.systems[k]);
  const cell = <T>(f: T | undefined, show: (v: T) => string, k: ResponderKind, name: string): string => (f ? show(f) : r.systems[k]?.errors?.[name] ? `failed: ${r.systems[k]!.errors![name]!.slice(0, 60)}` : '—');
  const lines = [
    `Machine: ${m.cpus} × ${m.cpuModel}, ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB, ${m.platform}, Node ${m.node}; load average ${m.loadAverage.toFixed(1)} at the start; fsync on (one write + fsync here: ${m.fsyncMs.toFixed(1)} ms median).`,
    '',
    `| system | ${s.loadConcurrency} runs msg/s | ${s.loadConcurrency} runs p50 / p99 | peak RSS, ${s.loadConcurrency} runs | CPU per message, ${s.loadConcurrency} runs: responder / driver | 1 run p50 | ${s.serialRuns} lifecycles in a row, p50 |`,
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const k of kinds) {
    const f = r.systems[k]!;
    lines.push(
      `| ${RESPONDER_NAMES[k]} | ${cell(f.load, (l) => `${l.perSecond.toFixed(0)}${l.unfinished ? ` (${n(l.unfinished)} runs unfinished after ${secs(l.seconds)})` : ''}`, k, 'load')} | ${cell(f.load, (l) => `${ms(l.latencyMs.p50)} / ${ms(l.latencyMs.p99)} ms`, k, 'load')} | ${cell(f.load, (l) => mb(l.peakRssBytes), k, 'load')} | ${cell(f.load, cpuPerMessage, k, 'load')} | ${cell(f.serial, (v) => `${ms(v.one.latencyMs.p50)} ms`, k, 'serial')} | ${cell(f.serial, (v) => `${ms(v.serial.latencyMs.p50)} ms`, k, 'serial')} |`,
    );
  }
  lines.push(
    '',
    `| system | ${n(s.burst)} handoffs at once: all PLANs / first / peak RSS | long-lived: live heap / RSS after each ${n(s.longRuns)} finished runs | headless start | ${n(s.idleRuns)} unfinished runs: to READY / memory per run |`,
    '|---|---:|---:|---:|---:|',
  );
  for (const k of kinds) {
    const f = r.systems[k]!;
    lines.push(
      `| ${RESPONDER_NAMES[k]} | ${cell(f.burst, (b) => `${burstAll(b)} / ${ms(b.firstMs ?? NaN)} ms / ${mb(b.peakRssBytes)}`, k, 'burst')} | ${cell(f.longLived, (l) => `${l.heapBytes.map((v) => (v / MB).toFixed(1)).join(' → ')} MB / ${l.rssBytes.map((v) => (v / MB).toFixed(0)).join(' → ')} MB${l.finished.some((f) => f < l.runsPerRound) ? ` (${l.finished.map(n).join(' / ')} finished)` : ''}`, k, 'longLived')} | ${cell(f.start, (v) => `${ms(v.ms)} ms`, k, 'start')} | ${k === 'null' ? '—' : cell(f.resume, (v) => `${ms(v.ms)} ms / ${kb(v.bytesPerIdleRun)}`, k, 'resume')} |`,
    );
  }
  const targets = judge(r);
  if (targets.length > 0) {
    lines.push('', '| target (#11) | teamstate | peer, same run | ratio | met |', '|---|---:|---:|---:|:---:|');
    for (const t of targets) lines.push(`| ${t.target} | ${t.teamstate} | ${t.reference} | ${t.ratio} | ${t.met ? 'met' : 'missed'} |`);
  }
  const floor = durableFloor(r);
  if (floor) lines.push('', floor);
  const e = r.systems.engine;
  const byExchange = (label: string, d: { byExchange: Record<string, { p50: number }> } | undefined) =>
    d ? `| ${label} | ${Object.entries(d.byExchange).map(([k, v]) => `${k} ${ms(v.p50)}`).join(' · ')} |` : undefined;
  const rows = [byExchange('1 run', e?.serial?.one), byExchange(`${s.serialRuns} in a row`, e?.serial?.serial), byExchange(`${s.loadConcurrency} concurrent`, e?.load)].filter((l): l is string => l !== undefined);
  if (rows.length > 0) lines.push('', '| teamstate p50 by exchange (ms) | |', '|---|---|', ...rows);
  return lines.join('\n');
}
