// The UI's render cost under load (not a test: it prints figures).
//
//   npx tsx bench/ui.ts [--runs 1000] [--burst 10000]
//
// 1,000 runs in the runs view, rendered by the real components through ink-testing-library
// (which draws every frame, unthrottled): the time from a change (or a key) to its frame,
// beside the same with 10 runs (only the rows on screen are drawn, so it should not grow);
// then a burst of 10,000 run changes as fast as the engine can emit them, and the same at
// one a millisecond: how many renders the store's throttle lets through.
// Run with NODE_ENV=production for React's production build.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { initialContext } from '../machines/backend-engineer/context.js';
import type { EngineEvents } from '../src/engine/core.js';
import type { RunState } from '../src/engine/run-state.js';
import type { UiActions } from '../src/ui/actions.js';
import { UiRoot } from '../src/ui/Root.js';
import type { EngineSource } from '../src/ui/store.js';
import { UiStore } from '../src/ui/store.js';
import { configSchema } from '../src/workspace/config-schema.js';
import { WorkspacePaths } from '../src/workspace/paths.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg('runs', 1000);
const BURST = arg('burst', 10_000);

const SHAPES: [unknown, string[]][] = [
  [{ awaitingApproval: 'waiting' }, ['waiting-on-conductor']],
  ['verifying', ['waiting-on-verification']],
  [{ implementing: { working: 'running' } }, ['working']],
  [{ fixing: { fixing: 'stuck' } }, ['waiting-on-person']],
  ['idle', ['waiting-on-analyst']],
  ['done', ['finished']],
];

function state(i: number, version: number): RunState {
  const [value, tags] = SHAPES[i % SHAPES.length]!;
  const runId = `run-${String(i).padStart(4, '0')}`;
  const context = { ...initialContext({ runId, task: { id: runId, subject: `task number ${i}`, description: '' }, limits: { planRevisions: 3, fixCycles: 5, implementRounds: 2, approvalReminderMs: 1, approvalEscalateMs: 2 } }), fixCycles: version % 5 };
  return {
    runId,
    machine: { id: 'backend-engineer', version: 1 },
    snapshot: { value, context: context as unknown as Record<string, unknown>, status: value === 'done' ? 'done' : 'active', tags },
    steps: {},
    attempts: {},
    timers: {},
    seen: [],
    undelivered: [],
    sent: version,
    createdAt: 0,
    since: i * 1000,
    updatedAt: version,
    last: { dir: 'in', peer: 'breaker', type: 'BUG', firstLine: `## BUG-${version}: something broke`, at: version },
  };
}

/** The engine as the store sees it: runs in a map, a change event per commit. */
class BenchEngine implements EngineSource {
  readonly states = new Map<string, RunState>();
  readonly core = Object.assign(new EventEmitter<EngineEvents>(), { now: () => Date.now() });
  readonly config = configSchema.parse({ members: ['analyst', 'conductor', 'backend-engineer', 'breaker', 'sentinel', 'librarian'], engine: { member: 'backend-engineer' } });
  readonly paths = new WorkspacePaths('/nonexistent-teamstate-bench');
  readonly manual = { pending: () => [], subscribe: () => () => undefined };
  runs = () => [...this.states.values()];
  run = (id: string) => this.states.get(id);
  update(s: RunState) {
    this.states.set(s.runId, s);
    this.core.emit('run', s);
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;
const ms = (x: number) => `${x.toFixed(2)} ms`;

/** Renders `runCount` runs and measures; the burst scenarios only `withBursts`. */
async function measure(runCount: number, withBursts: boolean): Promise<string[][]> {
  const engine = new BenchEngine();
  for (let i = 0; i < runCount; i++) engine.update(state(i, 0));
  const store = new UiStore(engine, { throttleMs: 100 });
  const noop = async () => true;
  const actions: UiActions = { decide: noop, complete: noop, fail: noop, retry: noop, cancel: noop, send: noop, requeue: noop };

  // Render cost: each flush renders synchronously (ink-testing-library draws every frame).
  const renderTimes: number[] = [];
  store.subscribe(() => undefined);
  const t0 = performance.now();
  const ui = render(createElement(UiRoot, { store, actions }));
  Object.defineProperty(ui.stdout, 'columns', { value: 160 });
  Object.defineProperty(ui.stdout, 'rows', { value: 48 });
  ui.stdout.emit('resize');
  const mountMs = performance.now() - t0;
  if (!(ui.lastFrame() ?? '').includes(`${runCount} runs`)) throw new Error(`the runs view did not draw ${runCount} runs:\n${ui.lastFrame()}`);
  /** Waits until a new frame is drawn; the time from `since` to it. */
  const drawn = async (since: number, before: number) => {
    while (ui.frames.length === before) await new Promise((r) => setImmediate(r));
    return performance.now() - since;
  };
  for (let i = 0; i < 50; i++) {
    engine.update(state(i, i + 1));
    const before = ui.frames.length;
    const t = performance.now();
    store.flush();
    renderTimes.push(await drawn(t, before));
  }

  // Scrolling: a key moves the selection; only the visible rows are drawn.
  const keyTimes: number[] = [];
  for (let i = 0; i < 100; i++) {
    const before = ui.frames.length;
    const t = performance.now();
    ui.stdin.write(i % 2 ? '\u001B[A' : '\u001B[B');
    keyTimes.push(await drawn(t, before));
  }

  const rows = [
    ['runs', String(runCount)],
    ['first render (mount)', ms(mountMs)],
    ['change to frame, p50 / p95 / max', `${ms(pct(renderTimes, 50))} / ${ms(pct(renderTimes, 95))} / ${ms(Math.max(...renderTimes))}`],
    ['selection move (key to frame), p50 / p95', `${ms(pct(keyTimes, 50))} / ${ms(pct(keyTimes, 95))}`],
  ];
  if (!withBursts) {
    ui.unmount();
    store.close();
    return rows;
  }

  // A burst as fast as the engine can emit: the throttle turns it into one render.
  let frames = ui.frames.length;
  const b0 = performance.now();
  for (let i = 0; i < BURST; i++) engine.update(state(i % runCount, 100 + i));
  const emitMs = performance.now() - b0;
  await new Promise((r) => setTimeout(r, 250));
  const burstRenders = ui.frames.length - frames;

  // One message a millisecond for BURST ms.
  frames = ui.frames.length;
  const p0 = performance.now();
  let sent = 0;
  let lagMax = 0;
  await new Promise<void>((resolve) => {
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      lagMax = Math.max(lagMax, now - last);
      last = now;
      // setInterval cannot beat ~1 ms; send what the clock says is due.
      const due = Math.min(BURST, Math.floor(now - p0));
      while (sent < due) engine.update(state(sent % runCount, 20_000 + sent++));
      if (sent >= BURST) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const paceMs = performance.now() - p0;
  await new Promise((r) => setTimeout(r, 250));
  const paceRenders = ui.frames.length - frames;

  ui.unmount();
  store.close();
  return [
    ...rows,
    [`burst of ${BURST} changes at full speed`, `${ms(emitMs)} to take in (${((emitMs / BURST) * 1000).toFixed(1)} µs each), ${burstRenders} render(s)`],
    [`${BURST} changes at 1 per ms`, `${(paceMs / 1000).toFixed(1)} s, ${paceRenders} renders (≤ 10/s by the throttle), longest event-loop gap ${ms(lagMax)}`],
  ];
}

async function main() {
  // The same screen with 10 runs: the cost of a frame should not grow with the runs.
  const small = await measure(10, false);
  const rows = await measure(RUNS, true);
  rows.splice(4, 0, ...small.slice(1).map(([k, v]) => [`${k} (10 runs)`, v!]));
  const w = Math.max(...rows.map((r) => r[0]!.length));
  process.stdout.write(`UI render benchmark (${process.version}, ${process.platform}, NODE_ENV=${process.env.NODE_ENV ?? ''})\n${rows.map(([k, v]) => `  ${k!.padEnd(w)}  ${v}`).join('\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
