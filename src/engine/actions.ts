import { promises as fs } from 'node:fs';
import { UserError } from '../errors.js';
import { outputFromText } from '../handlers/output.js';
import type { StepOutcome } from '../handlers/types.js';
import type { StepName } from '../workspace/config-schema.js';
import type { Control } from './control.js';
import { controlEvent } from './control-check.js';
import { listControls } from './control.js';
import type { Engine } from './engine.js';

/**
 * A person's action on a run (docs/DESIGN.md §5 `manual`, the UI's actions): applied through the
 * run's queue and journaled like a message, once (`key`).
 */
export async function applyControl(engine: Engine, control: Control, key: string): Promise<void> {
  const core = engine.core;
  if (!core.get(control.run)) throw new UserError(`no run "${control.run}"; \`teamstate runs\` lists them`);
  const source = { kind: 'person' as const, key, action: control.action };
  // Decided inside the run's queue, against the state the event will meet.
  await core.queue.run(control.run, async () => {
    const decided = controlEvent(core.entry, engine.config, core.get(control.run)!, control, key);
    if (!decided.ok) throw new UserError(decided.error);
    if (decided.value !== 'manual') {
      await core.commit(control.run, source, decided.value);
      return;
    }
    // A manual step waiting for its person: the handler's own promise ends it.
    const c = control as Extract<Control, { action: 'complete' }>;
    const step = c.step as StepName;
    const outcome: StepOutcome = c.fail !== undefined ? { status: 'failed', reason: c.fail } : { status: 'done', output: outputFromText(step, c.text) };
    if (!engine.manual.complete(c.run, step, outcome)) throw new UserError(`step "${step}" of run ${c.run} is not waiting for a person yet; try again in a moment`);
  });
}

/** Applies the actions the CLI queued in control/, oldest first; each file is removed once applied. */
export async function drainControls(engine: Engine): Promise<void> {
  for (const item of await listControls(engine.paths)) {
    try {
      if (!item.control) throw new UserError(`not a valid action: ${item.error}`);
      await applyControl(engine, item.control, `ctl:${item.name}`);
      await fs.rm(item.file, { force: true });
    } catch (e) {
      // Kept, with why, for the person who queued it.
      engine.core.warn(`action ${item.name} not applied: ${(e as Error).message}`);
      // The reason first: whoever sees the .rejected file (the CLI waiting for a verdict) finds it.
      await fs.writeFile(`${item.file}.rejected.reason.txt`, `${(e as Error).message}\n`).catch(() => undefined);
      await fs.rename(item.file, `${item.file}.rejected`).catch(() => undefined);
    }
  }
}
