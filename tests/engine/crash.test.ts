import { describe, expect, it } from 'vitest';
import { runCrashTrials } from '../../bench/lib/crash-trials.js';

const seed = Number(process.env.CRASH_SEED ?? 20261127);
const kills = Number(process.env.CRASH_KILLS ?? 30);

describe('the engine killed with SIGKILL at random instants', () => {
  it(`should end every run as an uninterrupted one, with every message applied and delivered exactly once (seed ${seed}, ${kills} kills)`, async () => {
    const report = await runCrashTrials({ kills, runs: 4, seed });
    expect(report.problems, `reproduce with CRASH_SEED=${seed}`).toEqual([]);
    expect(report.kills).toBe(kills);
    expect(report.lost).toBe(0);
    expect(report.duplicated).toBe(0);
    expect(report.corrupted).toBe(0);
    expect(report.diverged).toBe(0);
    expect(report.messagesIn).toBe(4 * 6);
    // The conductor moved its mail out of new/ and sentinel deleted it, and none came twice.
    expect(report.consumed!.moved).toBeGreaterThan(0);
    expect(report.consumed!.deleted).toBeGreaterThan(0);
  }, 600_000);
});
