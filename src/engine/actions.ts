import { promises as fs } from 'node:fs';
import { UserError } from '../errors.js';
import { outputFromText } from '../handlers/output.js';
import type { StepOutcome } from '../handlers/types.js';
import type { StepName } from '../workspace/config-schema.js';
import type { Control } from './control.js';
import { controlEvent } from './control-check.js';
import { controlDirProblem, listControls } from './control.js';
import { writeFileAtomic } from '../workspace/atomic.js';
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

/** The link problem of control/ last said, per engine: said when it appears and when it is gone, not at every scan. */
const saidLink = new WeakMap<Engine, string>();

/**
 * Applies the actions the CLI queued in control/, oldest first; each file is removed once
 * applied. A control/ replaced by a link is neither read nor written (said once, with the
 * link); an action that is refused is renamed aside, its reason written beside it
 * atomically (a link planted under that name is replaced, never written through).
 */
export async function drainControls(engine: Engine): Promise<void> {
  const link = await controlDirProblem(engine.paths);
  if (link) {
    if (saidLink.get(engine) !== link) engine.core.warn(`person actions in control/ are not taken: ${link}; they are taken again once it is a real folder`);
    saidLink.set(engine, link);
    return;
  }
  if (saidLink.delete(engine)) engine.core.warn('person actions in control/ are taken again: it is a real folder');
  for (const item of await listControls(engine.paths)) {
    try {
      if (!item.control) throw new UserError(`not a valid action: ${item.error}`);
      await applyControl(engine, item.control, `ctl:${item.name}`);
      await fs.rm(item.file, { force: true });
    } catch (e) {
      // Kept, with why, for the person who queued it.
      engine.core.warn(`action ${item.name} not applied: ${(e as Error).message}`);
      // The reason first: whoever sees the .rejected file (the CLI waiting for a verdict) finds it.
      await writeFileAtomic(`${item.file}.rejected.reason.txt`, `${(e as Error).message}\n`, { fsync: engine.config.fsync }).catch(() => undefined);
      await fs.rename(item.file, `${item.file}.rejected`).catch(() => undefined);
    }
  }
}
