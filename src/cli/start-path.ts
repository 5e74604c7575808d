/**
 * How `teamstate start` tells the launcher (src/cli/launch.ts) that it has come up: the
 * launcher then saves V8's code cache of the CommonJS bundle, with every function the
 * start path compiled. The two are in separate bundles, so they meet on a global.
 */
const HOOK = Symbol.for('teamstate.startPathDone');

type Hooked = { [HOOK]?: () => void };

/** Runs `fn` once the start path has run (READY is out). */
export function onStartPathDone(fn: () => void): void {
  (globalThis as Hooked)[HOOK] = fn;
}

/** Said by `teamstate start` after READY; nothing when no launcher listens (the sources, the UI's build). */
export function startPathDone(): void {
  const fn = (globalThis as Hooked)[HOOK];
  delete (globalThis as Hooked)[HOOK];
  fn?.();
}
