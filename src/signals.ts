import os from 'node:os';

/**
 * Calls `fn` once, at the first of `signals` to arrive; a second one ends the process at
 * once, as the signal would (exit 128 + its number). The listeners stay on the whole
 * time: with `process.once`, signal-exit (which proper-lockfile loads for its locks) finds
 * itself the signal's only listener when the signal comes, and kills the process with it
 * before `fn` can finish anything.
 */
export function onFirstSignal(signals: readonly NodeJS.Signals[], fn: (signal: NodeJS.Signals) => void): void {
  let first: NodeJS.Signals | undefined;
  for (const s of signals) {
    process.on(s, () => {
      if (first !== undefined) process.exit(128 + (os.constants.signals[s] ?? 0));
      first = s;
      fn(s);
    });
  }
}
