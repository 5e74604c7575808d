import { describe, expect, it } from 'vitest';
import { FaultGate } from '../../src/engine/faults.js';

const emfile = (path = '/w/runs/r1/journal.jsonl') => Object.assign(new Error(`EMFILE: too many open files, open '${path}'`), { code: 'EMFILE', path });

function gate() {
  let now = 1_000_000;
  const said: string[] = [];
  let released = 0;
  const g = new FaultGate(() => now, (l) => said.push(l), { outOfFiles: () => released++ });
  return { g, said, tick: (ms: number) => (now += ms), released: () => released };
}

describe('the fault gate', () => {
  it('says a fault once with what and where, again at most every 5 s, and its end once', () => {
    const { g, said, tick } = gate();
    for (let i = 0; i < 20; i++) {
      g.fail('taking messages', emfile());
      tick(400);
    }
    expect(said).toEqual([
      "taking messages is waiting: too many files are open in this process (EMFILE at /w/runs/r1/journal.jsonl: too many open files, open); retrying by itself, nothing is lost",
      'taking messages still waiting: too many files are open in this process (EMFILE at /w/runs/r1/journal.jsonl) for 5 s, 14 tries',
    ]);
    g.ok('taking messages');
    expect(said.at(-1)).toBe('taking messages goes on: EMFILE cleared after 8 s');
    expect(said).toHaveLength(3);
  });

  it('takes a fault that comes and goes by turns as one: said once, its end said once in 5 s', () => {
    const { g, said, tick } = gate();
    for (let i = 0; i < 50; i++) {
      g.fail('delivering replies', emfile());
      tick(10);
      g.ok('delivering replies');
      tick(10);
    }
    expect(said.filter((l) => l.includes('is waiting'))).toHaveLength(1);
    expect(said.filter((l) => l.includes('goes on'))).toHaveLength(1);
    tick(6000);
    g.fail('delivering replies', emfile());
    expect(said.at(-1)).toMatch(/^delivering replies is waiting/);
  });

  it('doubles the wait after each failure up to 5 s, and says when work tried on every scan is due again', () => {
    const { g, tick } = gate();
    const waits = Array.from({ length: 7 }, () => g.fail('writing snapshot caches', emfile()));
    expect(waits).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
    expect(g.due('writing snapshot caches')).toBe(false);
    tick(4999);
    expect(g.due('writing snapshot caches')).toBe(false);
    tick(1);
    expect(g.due('writing snapshot caches')).toBe(true);
    expect(g.due('firing timers')).toBe(true);
  });

  it('asks whoever keeps files open to release them on each EMFILE, and not for other faults', () => {
    const { g, released } = gate();
    g.fail('taking messages', emfile());
    g.fail('delivering replies', Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }));
    g.fail('taking messages', emfile());
    expect(released()).toBe(2);
  });
});
