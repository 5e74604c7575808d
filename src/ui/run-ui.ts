import { existsSync } from 'node:fs';
import { render } from 'ink';
import { createElement } from 'react';
import { readRunStates } from '../engine/read.js';
import { Engine } from '../engine/engine.js';
import { UserError } from '../errors.js';
import { initWorkspace } from '../workspace/init.js';
import { WorkspacePaths } from '../workspace/paths.js';
import { createActions } from './actions.js';
import { UiRoot } from './Root.js';
import { UiStore } from './store.js';

export interface RunUiOptions {
  workspaceDir: string;
  /** An engine already started on the workspace (the demo's); else the UI starts one and stops it on exit. */
  engine?: Engine;
  /** Called once the UI is up, with its store (the demo sets its banner through it). */
  onReady?: (store: UiStore) => void;
}

/**
 * The terminal UI: starts the engine (creating the workspace on first use), renders until
 * the person quits (q or Ctrl+C), then stops the engine cleanly. Errors from actions and
 * engine warnings show in the UI; an unexpected exception is shown too, not fatal.
 */
export async function runUi(opts: RunUiOptions): Promise<void> {
  let created = false;
  if (!opts.engine && !existsSync(new WorkspacePaths(opts.workspaceDir).configFile)) {
    await initWorkspace(opts.workspaceDir);
    created = true;
  }
  const engine = opts.engine ?? (await Engine.start({ workspaceDir: opts.workspaceDir }));
  const store = new UiStore(engine);
  if (created) store.note('info', `created a new workspace in ${engine.paths.root} (edit teamstate.json to configure the team)`);
  const onCrash = (e: unknown) => store.note('error', `internal error (please report it): ${e instanceof Error ? e.message : String(e)}`);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  try {
    void readRunStates(engine.paths).then(
      (states) => store.addHistory(states),
      (e: Error) => store.note('warning', `older runs could not be read: ${e.message}`),
    );
    const ink = render(createElement(UiRoot, { store, actions: createActions(engine, store) }), { maxFps: 20 });
    opts.onReady?.(store);
    // The engine stopped by itself (its workspace gone, its lock taken): the UI closes, and
    // says why when it started the engine (else its owner does).
    let ended: string | undefined;
    void engine.ended.then((why) => {
      ended = why;
      ink.unmount();
    });
    await ink.waitUntilExit();
    if (ended !== undefined && !opts.engine) {
      // The last frame stays on the screen; why goes below it, not after its last line.
      process.stdout.write('\n');
      throw new UserError(ended);
    }
  } finally {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    store.close();
    if (!opts.engine) await engine.stop();
  }
}
