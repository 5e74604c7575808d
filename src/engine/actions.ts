import { promises as fs } from 'node:fs';
import { UserError } from '../errors.js';
import { outputFromText } from '../handlers/output.js';
import type { StepOutcome } from '../handlers/types.js';
import type { StepName } from '../workspace/config-schema.js';
import { resolve, stateLabel } from './apply.js';
import type { Control } from './control.js';
import { listControls } from './control.js';
import type { Engine } from './engine.js';
import { invocationsOf } from './machine-meta.js';
import { personMayDecide } from './view.js';

/**
 * A person's action on a run (docs/DESIGN.md §5 `manual`, the UI's actions): applied through the
 * run's queue and journaled like a message, once (`key`).
 */
export async function applyControl(engine: Engine, control: Control, key: string): Promise<void> {
  const core = engine.core;
  const state = core.get(control.run);
  if (!state) throw new UserError(`no run "${control.run}"; \`teamstate runs\` lists them`);
  const source = { kind: 'person' as const, key, action: control.action };

  if (control.action === 'complete') {
    const step = control.step as StepName;
    const outcome: StepOutcome = control.fail !== undefined ? { status: 'failed', reason: control.fail } : { status: 'done', output: outputFromText(step, control.text) };
    // A manual step waiting for its person: the handler's own promise ends it.
    if (core.entry.steps.includes(step) && engine.manual.complete(control.run, step, outcome)) return;
    const id = stepIdFor(engine, control.run, control.step, (s) => ({ type: 'STEP_COMPLETED', from: 'person', step: s, outcome }));
    await core.queue.run(control.run, () => core.commit(control.run, source, { type: 'STEP_COMPLETED', from: 'person', step: id, outcome }));
    return;
  }
  if (control.action === 'retry') {
    const id = stepIdFor(engine, control.run, control.step, (s) => ({ type: 'RETRY', from: 'person', step: s }));
    await core.queue.run(control.run, () => core.commit(control.run, source, { type: 'RETRY', from: 'person', step: id }));
    return;
  }
  const base = { from: 'conductor', messageId: key, priority: 'HIGH' as const };
  if (control.action === 'decide') {
    if (!personMayDecide(state, engine.config.conductor, core.entry)) {
      if (engine.config.conductor !== 'person' && state.snapshot.status === 'active') {
        throw new UserError('the conductor member decides on plans in this workspace; set "conductor": "person" in teamstate.json to decide here');
      }
      throw new UserError(`run ${control.run} has no plan decision to make (it is ${stateLabel(state.snapshot.value)}); \`teamstate show ${control.run}\` says what it waits on`);
    }
    const event = { type: 'PLAN_DECISION', approved: control.approved, feedback: control.feedback, body: `${control.approved ? 'APPROVED' : 'REJECTED'} ${control.feedback}`.trim(), ...base };
    await core.queue.run(control.run, () => core.commit(control.run, source, event));
    return;
  }
  await core.queue.run(control.run, () => core.commit(control.run, source, { type: 'CANCEL', body: control.reason, ...base }));
}

/**
 * The id of the run's step a person means: the step name itself, or an invocation of
 * that step the run is stuck in (the machine's `meta`: architecture-validator also runs
 * as `plan-check`).
 */
function stepIdFor(engine: Engine, runId: string, step: string, event: (id: string) => { type: string }): string {
  const state = engine.core.get(runId)!;
  const snapshot = resolve(engine.core.entry, state.snapshot);
  const candidates = [step, ...(invocationsOf(engine.core.entry).get(step) ?? [])];
  const id = candidates.find((c) => snapshot.can(event(c)));
  if (!id) throw new UserError(`run ${runId} is not waiting on step "${step}" (it is ${JSON.stringify(state.snapshot.value)}); \`teamstate show ${runId}\` says what it waits on`);
  return id;
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
      await fs.rename(item.file, `${item.file}.rejected`).catch(() => undefined);
      await fs.writeFile(`${item.file}.rejected.reason.txt`, `${(e as Error).message}\n`).catch(() => undefined);
    }
  }
}
