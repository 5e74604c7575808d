import { describe, expect, it } from 'vitest';
import { SharedDirSync } from '../../src/workspace/dir-sync.js';

/** A folder fsync that finishes when the test says so, and records each call. */
function heldSync() {
  const calls: { dir: string; finish: () => void }[] = [];
  const sync = (dir: string) => new Promise<void>((resolve) => calls.push({ dir, finish: resolve }));
  return { calls, sync };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('shared folder fsyncs', () => {
  it('should give callers that ask before a round starts one fsync, and a caller that asks while it runs a round of its own after it', async () => {
    const { calls, sync } = heldSync();
    const shared = new SharedDirSync(sync);
    const early = [shared.fsync('/w/conductor/tmp'), shared.fsync('/w/conductor/tmp'), shared.fsync('/w/conductor/tmp')];
    await tick();
    expect(calls.map((c) => c.dir)).toEqual(['/w/conductor/tmp']);
    // Asked while the first round is in flight: its name may have been made after that fsync began.
    let lateDone = false;
    const late = [shared.fsync('/w/conductor/tmp'), shared.fsync('/w/conductor/tmp')];
    void Promise.all(late).then(() => (lateDone = true));
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]!.finish();
    await Promise.all(early);
    await tick();
    expect(lateDone).toBe(false);
    expect(calls).toHaveLength(2);
    calls[1]!.finish();
    await Promise.all(late);
  });

  it('should keep folders apart, and let a failed round fail only its own callers', async () => {
    let n = 0;
    const shared = new SharedDirSync(async (dir) => {
      n += 1;
      if (dir === '/w/bad' && n === 1) throw new Error('EIO');
    });
    await expect(shared.fsync('/w/bad')).rejects.toThrow('EIO');
    await Promise.all([shared.fsync('/w/bad'), shared.fsync('/w/good')]);
    expect(n).toBe(3);
  });
});
