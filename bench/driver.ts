// The benchmark driver: plays analyst, conductor, breaker and sentinel against whatever
// answers the backend-engineer's inbox (the engine, or the null responder), and times
// each drop until the reply lands in the recipient's new/ folder.
//
//   tsx bench/driver.ts --workspace DIR --concurrency 200 --runs 400
//   tsx bench/driver.ts --workspace DIR --burst 5000     (5,000 handoffs dropped at once; PLANs timed)
//   … --deadline 90      (stop after 90 s and report what was done, with the count of unfinished runs)
//
// In a burst, every handoff is first written to tmp/, then all are renamed into new/ at
// once, and the pass ends when every PLAN is in: `firstMs` and `seconds` are counted from
// the first rename. Prints one JSON line (a DriverResult) on stdout. A separate process from the responder,
// so its own work never slows the thing it measures.
import { watch, type FSWatcher } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { renderMessage } from '../src/protocol/render.js';
import { mapLimit } from '../src/store/map-limit.js';
import { WorkspacePaths } from '../src/workspace/paths.js';
import { argNumber, argString, summarize, type Summary } from './lib/args.js';
import { dropFor, ENGINEER, EXCHANGES, REPLY_MEMBERS, replyHeaders } from './lib/lifecycle.js';

/** What one driver pass measured. */
export interface DriverResult {
  concurrency: number;
  runs: number;
  messages: number;
  seconds: number;
  perSecond: number;
  latencyMs: Summary;
  byExchange: Record<string, Summary>;
  /** Burst only: from the first rename into new/ to the first reply (ms). */
  firstMs?: number;
  /** Runs not finished when `--deadline` (s) ran out; the figures cover what was done. */
  unfinished?: number;
  /** The driver's own CPU over the pass (user + system, ms): what it takes of the cores it shares with the responder. */
  cpuMs?: number;
}

/** Where each task is: the exchange it waits on and when that drop was made. */
interface InFlight {
  at: number;
  since: number;
}

/** How long without any reply before the pass is declared stuck. */
const STALL_MS = 60_000;
/** Fallback readdir of the reply folders (fs.watch may drop events under load). */
const RESCAN_MS = 250;

async function main(): Promise<void> {
  const paths = new WorkspacePaths(argString('workspace'));
  const burst = argNumber('burst', 0);
  const concurrency = burst || argNumber('concurrency', 1);
  const runs = burst || argNumber('runs', concurrency);
  /** Exchanges per run: the whole lifecycle, or in a burst only the handoff. */
  const exchanges = burst ? 1 : EXCHANGES.length;
  const prefix = argString('prefix', burst ? `b${burst}` : `c${concurrency}`);
  const deadlineMs = argNumber('deadline', 0) * 1000;
  const inbox = paths.inbox(ENGINEER);
  const tasks = Array.from({ length: runs }, (_, i) => `${prefix}-${String(i + 1).padStart(5, '0')}`);
  const flying = new Map<string, InFlight>();
  const seen = new Set<string>();
  const latencies: number[] = [];
  const byExchange = new Map<string, number[]>(EXCHANGES.map((e) => [e.label, []]));
  let started = 0;
  let finished = 0;
  let lastProgress = performance.now();
  let firstAt: number | undefined;
  let overdue = false;
  let t0 = performance.now();
  let cpu0 = process.cpuUsage();
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));

  const drop = async (task: string, i: number): Promise<void> => {
    const name = `${EXCHANGES[i]!.drop.from}--${task}-${i}.md`;
    const tmp = path.join(inbox.tmp, name);
    await fs.writeFile(tmp, renderMessage(dropFor(task, i)));
    flying.set(task, { at: i, since: performance.now() });
    await fs.rename(tmp, path.join(inbox.new, name));
  };
  const startNext = async (): Promise<void> => {
    if (started >= runs) return;
    const task = tasks[started++]!;
    await drop(task, 0);
  };

  /** A file appeared in `member`'s new/: if it is the reply a task waits for, time it and go on. */
  const arrived = async (member: string, name: string): Promise<void> => {
    if (name.startsWith('.') || seen.has(`${member}/${name}`)) return;
    seen.add(`${member}/${name}`);
    const now = performance.now();
    const file = path.join(paths.inbox(member).new, name);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      return;
    }
    const { type, task } = replyHeaders(text);
    const f = task ? flying.get(task) : undefined;
    // Read like a recipient would: out of new/ so the folder stays small.
    await fs.rename(file, path.join(paths.inbox(member).cur, name)).catch(() => undefined);
    if (!task || !f) return;
    const want = EXCHANGES[f.at]!.reply;
    if (want.to !== member || want.type !== type || (want.contains && !text.includes(want.contains))) return;
    const ms = now - f.since;
    firstAt ??= now;
    latencies.push(ms);
    byExchange.get(EXCHANGES[f.at]!.label)!.push(ms);
    lastProgress = now;
    if (f.at + 1 < exchanges) {
      await drop(task, f.at + 1);
      return;
    }
    flying.delete(task);
    finished += 1;
    if (finished === runs) resolveDone();
    else await startNext();
  };

  const failures: string[] = [];
  const onError = (e: unknown) => failures.push(String(e));
  const watchers: FSWatcher[] = REPLY_MEMBERS.map((member) =>
    watch(paths.inbox(member).new, (_event, name) => {
      if (name) void arrived(member, name.toString()).catch(onError);
    }),
  );
  const rescan = setInterval(() => {
    for (const member of REPLY_MEMBERS) {
      void fs
        .readdir(paths.inbox(member).new)
        .then((names) => Promise.all(names.map((n) => arrived(member, n))))
        .catch(onError);
    }
    if (deadlineMs > 0 && performance.now() - t0 > deadlineMs) {
      overdue = true;
      resolveDone();
    } else if (performance.now() - lastProgress > STALL_MS) {
      failures.push(`no reply for ${STALL_MS / 1000} s; waiting: ${[...flying].slice(0, 5).map(([t, f]) => `${t} on ${EXCHANGES[f.at]!.label}`).join(', ')}`);
      resolveDone();
    }
  }, RESCAN_MS);

  if (burst) {
    const names = tasks.map((task) => `${EXCHANGES[0]!.drop.from}--${task}-0.md`);
    await mapLimit(tasks.map((task, i) => [task, names[i]!] as const), 64, ([task, name]) => fs.writeFile(path.join(inbox.tmp, name), renderMessage(dropFor(task, 0))));
    started = runs;
    t0 = performance.now();
    cpu0 = process.cpuUsage();
    lastProgress = t0;
    for (const task of tasks) flying.set(task, { at: 0, since: t0 });
    await Promise.all(names.map((name) => fs.rename(path.join(inbox.tmp, name), path.join(inbox.new, name))));
  } else {
    t0 = performance.now();
    cpu0 = process.cpuUsage();
    await Promise.all(Array.from({ length: Math.min(concurrency, runs) }, () => startNext()));
  }
  await done;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(rescan);
  for (const w of watchers) w.close();
  if (failures.length > 0) {
    process.stderr.write(`driver: ${failures.slice(0, 5).join('\n')}\n`);
    process.exit(1);
  }
  const result: DriverResult = {
    concurrency,
    runs,
    messages: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    latencyMs: summarize(latencies),
    byExchange: Object.fromEntries([...byExchange].filter(([, v]) => v.length > 0).map(([k, v]) => [k, summarize(v)])),
    ...(burst && firstAt !== undefined ? { firstMs: firstAt - t0 } : {}),
    ...(overdue ? { unfinished: runs - finished } : {}),
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
