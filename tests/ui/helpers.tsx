import { makeTemp } from '../temp.js';
import { render } from 'ink-testing-library';
import { Engine } from '../../src/engine/engine.js';
import { createActions } from '../../src/ui/actions.js';
import type { Nav } from '../../src/ui/nav.js';
import { UiRoot } from '../../src/ui/Root.js';
import { UiStore } from '../../src/ui/store.js';
import type { WorkspacePaths } from '../../src/workspace/paths.js';
import { tempWorkspace } from '../engine/helpers.js';

export { HANDOFF_BODY, drop } from '../engine/helpers.js';

export const KEY = { enter: '\r', esc: '\u001B', up: '\u001B[A', down: '\u001B[B', right: '\u001B[C', left: '\u001B[D', tab: '\t', ctrlS: '\u0013' };

export const T0 = Date.parse('2026-11-27T09:00:00Z');

/** A real engine (instant steps, no watcher, a fixed clock) on a temp workspace, and the UI rendered on it. */
export async function openUi(opts: { conductor?: 'member' | 'person'; initial?: Nav; edit?: (c: Record<string, unknown>) => void; size?: { columns: number; rows: number }; noProject?: boolean } = {}) {
  const project = await makeTemp('teamstate-ui-project-');
  const paths: WorkspacePaths = await tempWorkspace('instant', (c) => {
    if (!opts.noProject) c.project = project;
    c.fsync = false;
    if (opts.conductor) c.conductor = opts.conductor;
    opts.edit?.(c);
  });
  let now = T0;
  const engine = await Engine.start({ workspaceDir: paths.root, watch: false, now: () => now, settleMs: 0 });
  const store = new UiStore(engine, { throttleMs: 0 });
  const actions = createActions(engine, store);
  const ui = render(<UiRoot store={store} actions={actions} {...(opts.initial ? { initial: opts.initial } : {})} />);
  // ink-testing-library's stdout is 100 columns with no rows: make it the size the tmux test uses.
  Object.defineProperty(ui.stdout, 'columns', { value: opts.size?.columns ?? 160 });
  Object.defineProperty(ui.stdout, 'rows', { value: opts.size?.rows ?? 40 });
  ui.stdout.emit('resize');
  const frame = () => ui.lastFrame() ?? '';

  /** Lets the engine take in what was dropped and finish its (instant) steps. */
  const settle = async () => {
    for (let i = 0; i < 50; i++) {
      await engine.scan();
      await engine.core.queue.idle();
      if (engine.runs().every((r) => Object.keys(r.steps).length === 0)) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    store.flush();
  };

  /** Waits (polling, generous) until the frame shows `text`; fails with the frame when it never does. */
  const waitFor = async (text: string | RegExp, tries = 400): Promise<string> => {
    for (let i = 0; i < tries; i++) {
      const f = frame();
      if (typeof text === 'string' ? f.includes(text) : text.test(f)) return f;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`the UI never showed ${String(text)} (${ui.frames.length} frames drawn); last frame:\n${frame()}`);
  };

  /** Types keys one at a time, letting the UI take each in. */
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      ui.stdin.write(k);
      await new Promise((r) => setTimeout(r, 30));
    }
  };

  const close = async () => {
    ui.unmount();
    store.close();
    await engine.stop();
  };
  return { engine, store, paths, project, ui, frame, settle, waitFor, press, close, tick: (ms: number) => (now += ms) };
}
