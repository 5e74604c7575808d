import type { MachineEntry } from '../../machines/index.js';
import type { Mailbox } from '../mailbox/port.js';
import type { Effects } from './apply.js';
import { stateLabel } from './apply.js';
import { eventLabel } from './labels.js';
import type { Applied, EventRecord, OutboxItem, RunRecord, RunState } from './run-state.js';
import type { Stepped } from './step.js';
import { journaled } from './step.js';

// The pieces of one commit (RunCore.commit) that need nothing of the core: staging the
// replies ahead of their record, and the net effects of a chain of steps.

/** By reply key: the recipients whose copy is staged, and the names of those staged under a name of the mailbox's own. */
export type StagedCopies = Map<string, { to: string[]; as?: Record<string, string> }>;

/**
 * Stages each reply for each recipient (Mailbox.stage) side by side; returns, by key, the
 * recipients whose copy is staged (and under which names of the mailbox's, if any). Empty
 * when the mailbox does not stage.
 */
export async function stageOutbox(mailbox: Mailbox, outbox: OutboxItem[]): Promise<StagedCopies> {
  const staged: StagedCopies = new Map();
  if (!mailbox.stage || outbox.length === 0) return staged;
  await Promise.all(
    outbox.map(async (o) => {
      const ok = await Promise.all(o.recipients.map((r) => mailbox.stage!(r, o.message, o.key)));
      const to = o.recipients.filter((_, i) => ok[i]);
      const named = o.recipients.flatMap((r, i) => {
        const s = ok[i];
        return typeof s === 'object' ? [[r, s.as] as const] : [];
      });
      if (to.length) staged.set(o.key, named.length ? { to, as: Object.fromEntries(named) } : { to });
    }),
  );
  return staged;
}

// The commit's own pieces below are functions of their own, not closures inlined into it:
// replies, steps and states of a shape the commit had not met yet (a lifecycle's later
// stages bring them) then recompile these small functions, not the whole commit.

/** Every reply of a chain of steps, in order. */
export function outboxOf(chain: readonly Stepped[]): OutboxItem[] {
  const out: OutboxItem[] = [];
  for (const c of chain) for (const o of c.effects.outbox) out.push(o);
  return out;
}

/** The staging's result, once what the record also waits for (a step's write, beforeRecord) is done too. */
export function besideWaits<T>(staging: Promise<T>, waits: readonly Promise<void>[] | undefined): Promise<T> {
  return waits ? Promise.all([staging, ...waits]).then(([staged]) => staged) : staging;
}

/** A commit's records: the run's created record first when the run is made by this event. */
export function withCreated(created: RunRecord | undefined, record: EventRecord): RunRecord[] {
  return created ? [created, record] : [record];
}

/** The journal record of a chain of steps: the first as the event, those after it as `then`, their replies marked staged. */
export function eventRecord(seq: number, at: number, chain: readonly Stepped[], staged: StagedCopies): EventRecord {
  const applied: Applied[] = [];
  for (const c of chain) applied.push(c.applied);
  const [head, ...rest] = journaled(applied).map((a) => withStaged(a, staged));
  return { seq, at, kind: 'event', ...head!, ...(rest.length ? { then: rest } : {}) };
}

/** The run's state with its undelivered replies marked staged where they were. */
export function withStagedState(state: RunState, staged: StagedCopies): RunState {
  const undelivered: OutboxItem[] = [];
  for (const o of state.undelivered) undelivered.push(withStagedItem(o, staged));
  return { ...state, undelivered };
}

/** An outbox item with the recipients its copy was staged for (see stageOutbox). */
export function withStagedItem(o: OutboxItem, staged: StagedCopies): OutboxItem {
  const s = staged.get(o.key);
  return s ? { ...o, staged: s.to, ...(s.as ? { stagedAs: s.as } : {}) } : o;
}

/** A journaled step whose messages say which copies were staged before it was written. */
export function withStaged(a: Applied, staged: StagedCopies): Applied {
  if (staged.size === 0 || a.outbox.length === 0) return a;
  return { ...a, outbox: a.outbox.map((o) => withStagedItem(o, staged)) };
}

/**
 * The effects of a chain of steps as one: steps running at the end that were not before
 * (less those done inline), steps that ran before and are gone, every message, the task
 * status changes in order.
 */
export function netEffects(before: RunState, after: RunState, chain: Stepped[]): Effects {
  const start = Object.keys(after.steps).filter((id) => after.steps[id]!.attempt !== before.steps[id]?.attempt);
  const stop = Object.keys(before.steps).filter((id) => after.steps[id]?.attempt !== before.steps[id]!.attempt);
  const task = chain.map((c) => c.effects.task).filter((t) => t !== undefined).at(-1);
  return { outbox: chain.flatMap((c) => c.effects.outbox), start, stop, task };
}

/** The run's task as its machine names it; a run whose context names none goes by its id. */
export function taskOf(entry: MachineEntry, state: RunState): { id: string; subject: string; description: string } {
  const task = entry.task(state.snapshot.context);
  return { ...task, id: task.id || state.runId };
}

/** One log line per step of a journaled chain: the state it left and the one it reached, or why it was out of place. */
export function logChain(log: (line: string) => void, runId: string, before: RunState, chain: Stepped[]): void {
  chain.forEach(({ applied, state }, i) => {
    const from = (chain[i - 1]?.state ?? before).snapshot.value;
    const what = eventLabel(applied.event as { type: string; from?: string });
    if (applied.outOfPlace) log(`${runId}: ${what} out of place: ${applied.outOfPlace}`);
    else log(`${runId}: ${stateLabel(from)} → ${stateLabel(state.snapshot.value)} (${what})`);
  });
}
