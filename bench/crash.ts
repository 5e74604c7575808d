// `npm run crash-test`: SIGKILLs `teamstate start --headless` at seeded random instants
// while many runs go through their whole lifecycle, restarts it after each kill, and
// checks every message against an uninterrupted baseline.
//
//   tsx bench/crash.ts [--kills 200] [--runs 8] [--lifecycles 800] [--seed N] [--window 60,900] [--json file]
//   (or CRASH_KILLS / CRASH_RUNS / CRASH_SEED)
//
// Exits 1 when any message was lost, duplicated or corrupted, or a run diverged.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { runCrashTrials } from './lib/crash-trials.js';
import { summarize } from './lib/args.js';
import { cliPath } from './lib/processes.js';

const arg = (name: string, env: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = Number(i === -1 ? (process.env[env] ?? dflt) : process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name}: expected a whole number`);
  return v;
};

async function main(): Promise<void> {
  cliPath(); // fails early, with what to do, when the build is missing
  const kills = arg('kills', 'CRASH_KILLS', 200);
  const runs = arg('runs', 'CRASH_RUNS', 8);
  // Enough lifecycles that the runs are still going when the last kill lands: a lifecycle
  // now takes a fraction of a kill's interval, so four per kill.
  const lifecycles = arg('lifecycles', 'CRASH_LIFECYCLES', Math.max(runs, 4 * kills));
  const seed = arg('seed', 'CRASH_SEED', Date.now() % 2 ** 31);
  // Up to 900 ms: the CLI takes ~300 ms to READY, so kills land in recovery and in message handling alike.
  const windowArg = process.argv.indexOf('--window');
  const killWindow = (windowArg === -1 ? '60,900' : process.argv[windowArg + 1]!).split(',').map(Number) as [number, number];
  const t0 = Date.now();
  process.stderr.write(`crash trials, seed ${seed} (reproduce with --seed ${seed})\n`);
  const report = await runCrashTrials({ kills, runs, lifecycles, seed, killWindow, log: (l) => process.stderr.write(`${l}\n`) });
  const recovery = summarize(report.recoveryMs);
  const lines = [
    `crash trials (seed ${seed}; reproduce with --seed ${seed}); kills ${killWindow[0]}–${killWindow[1]} ms after each start`,
    `  trials (SIGKILL + restart)  ${report.kills}`,
    `  concurrent runs             ${runs} (${lifecycles} lifecycles in waves)`,
    `  messages in / out           ${report.messagesIn} / ${report.messagesOut}`,
    `  lost                        ${report.lost}`,
    `  duplicated                  ${report.duplicated}`,
    `  corrupted                   ${report.corrupted}`,
    `  runs diverged from baseline ${report.diverged}`,
    `  kills mid-lifecycle         ${report.killsMidLifecycle ?? 0} of ${report.kills}`,
    `  consuming peers             conductor moves its mail out of new/ (${report.consumed?.moved ?? 0}), sentinel deletes it (${report.consumed?.deleted ?? 0})`,
    `  recovery (spawn to READY)   p50 ${recovery.p50.toFixed(0)} ms, p99 ${recovery.p99.toFixed(0)} ms, max ${recovery.max.toFixed(0)} ms`,
    `  took                        ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    ...report.problems.slice(0, 20).map((p) => `  problem: ${p}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const i = process.argv.indexOf('--json');
  if (i !== -1) {
    const file = path.resolve(process.argv[i + 1]!);
    await fs.writeFile(file, `${JSON.stringify({ ...report, recovery }, null, 2)}\n`);
  }
  const clean = report.lost === 0 && report.duplicated === 0 && report.corrupted === 0 && report.diverged === 0 && report.problems.length === 0;
  process.exitCode = clean ? 0 : 1;
}

await main();
