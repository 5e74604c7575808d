import type { MachineEntry, RunView } from '../../machines/entry.js';
import { machines } from '../../machines/index.js';
import { UserError } from '../errors.js';
import { stateLabel } from './apply.js';
import { stuckStepsOf } from './machine-meta.js';
import { eventLabel, oneLine, stepEnd, timerName } from './labels.js';
import type { Config, StepName } from '../workspace/config-schema.js';
import type { RunRecord, RunState } from './run-state.js';
import { appliedOf } from './run-state.js';
import type { UsageView } from './usage.js';
import type { GitCommit } from '../handlers/git/commit.js';
import { gitCommitIn, gitCommitNote, uncommittedLine } from './git-commit.js';

/** What a person waits on, most urgent first: the order the runs view sorts by. */
export const WAITS = ['person', 'conductor', 'verification', 'step', 'analyst', 'nothing'] as const;
export type WaitsOn = (typeof WAITS)[number];

/** One line of the runs view. */
export interface RunSummary {
  runId: string;
  task: string;
  state: string;
  tags: string[];
  waitsOn: WaitsOn;
  /** Who or what, in words: "the conductor's decision", "a person: implement failed: …". */
  waitingFor: string;
  since: number;
  fixCycles: number;
  revision: number;
  finished: boolean;
  last?: RunState['last'];
  notices: number;
  /** Why the run cannot move on until the engine restarts (a result it could not journal). */
  faulted?: string;
  /** Steps that failed and wait for a person to retry or complete them. */
  stuck: string[];
  /** Replies journaled and not delivered yet, with why (the engine retries them). */
  undelivered: Undelivered[];
  /** Why the run takes no more messages (its journal is gone or damaged), when it is quarantined. */
  quarantined?: string;
  /** What the run's steps used so far (absent when no step reported usage). */
  usage?: UsageView;
  /** Steps running now that a person does (`"kind": "manual"`): the run waits on that person. */
  manualSteps: string[];
  /** What became of the run's work at its end with `git.onDone: "commit"`; `failed` is said in `waitingFor` too. */
  gitCommit?: GitCommit;
}

/** A reply not delivered yet: its type, recipients and why (or "not tried yet"). */
export interface Undelivered {
  key: string;
  type: string;
  to: string;
  why: string;
}

/** The run's replies not delivered yet, each with the reason of its last try. */
export function undeliveredOf(state: RunState): Undelivered[] {
  return state.undelivered.map((o) => ({ key: o.key, type: o.message.type, to: o.recipients.join(', '), why: state.held?.[o.key] ?? 'not tried yet' }));
}

/** The machine a persisted run was made by, from the registry. */
export function entryOf(state: Pick<RunState, 'machine' | 'runId'>, registry: Readonly<Record<string, MachineEntry>> = machines): MachineEntry {
  const entry = registry[state.machine.id];
  if (!entry) throw new UserError(`run ${state.runId} was made by machine "${state.machine.id}", which this teamstate does not know (known: ${Object.keys(registry).join(', ')})`);
  return entry;
}

/** The run's context as its machine reads it for everyone else. */
export function viewOf(state: RunState, entry: MachineEntry = entryOf(state)): RunView {
  return entry.view(state.snapshot.context, state.snapshot.value);
}

/** The steps the run is stuck in, as a person names them. */
export function stuckSteps(state: RunState, entry: MachineEntry = entryOf(state)): string[] {
  return stuckStepsOf(entry, state.snapshot.value).map((s) => s.step);
}

/**
 * Whether a person may decide on the run's plan here: they play the conductor and the run
 * waits on the conductor, or the run was handed to a person (an escalation or an overdue
 * plan), and no stuck step is what it waits on.
 */
export function personMayDecide(state: RunState, conductor: 'person' | 'member', entry: MachineEntry = entryOf(state)): boolean {
  const tags = state.snapshot.tags;
  if (state.snapshot.status !== 'active' || stuckSteps(state, entry).length > 0) return false;
  return (conductor === 'person' && tags.includes('waiting-on-conductor')) || tags.includes('waiting-on-person');
}

/**
 * One run in a line. With the config's steps, a run whose running step is a manual one
 * counts as waiting on a person, not as working: nothing happens until someone does it.
 */
export function summarize(state: RunState, config?: Pick<Config, 'steps'>, entry: MachineEntry = entryOf(state)): RunSummary {
  if (state.quarantined) return { ...summarize({ ...state, quarantined: undefined }, config, entry), state: 'quarantined', waitsOn: 'person', waitingFor: `a person: quarantined: ${state.quarantined.reason}`, quarantined: state.quarantined.reason };
  const c = viewOf(state, entry);
  const tags = state.snapshot.tags;
  const steps = Object.keys(state.steps);
  const manualSteps = [...new Set(Object.values(state.steps).map((s) => s.src).filter((src) => config?.steps[src as StepName]?.kind === 'manual'))];
  let waitsOn: WaitsOn = 'nothing';
  let waitingFor = state.snapshot.status === 'active' ? '' : (uncommittedLine(state.gitCommit) ?? 'finished');
  if (state.faulted) {
    waitsOn = 'person';
    waitingFor = `a restart: faulted: ${state.faulted}`;
  } else if (manualSteps.length > 0 && state.snapshot.status === 'active') {
    waitsOn = 'person';
    waitingFor = `a person: the manual step ${manualSteps.join(', ')}`;
  } else if (tags.includes('waiting-on-person')) {
    waitsOn = 'person';
    waitingFor = `a person: ${c.blocked ?? 'a decision'}`;
  } else if (tags.includes('waiting-on-conductor')) {
    waitsOn = 'conductor';
    waitingFor = "the conductor's decision on the plan";
  } else if (tags.includes('waiting-on-verification')) {
    waitsOn = 'verification';
    waitingFor = "sentinel's PASS/FAIL, breaker's BUG/CLEAR";
  } else if (tags.includes('working')) {
    waitsOn = 'step';
    waitingFor = `step ${steps.join(', ') || '…'}`;
  } else if (tags.includes('waiting-on-analyst')) {
    waitsOn = 'analyst';
    waitingFor = "the analyst's HANDOFF";
  }
  return {
    runId: state.runId,
    task: c.task.subject || state.runId,
    state: stateLabel(state.snapshot.value),
    tags,
    waitsOn,
    waitingFor,
    since: state.since,
    fixCycles: c.fixCycles,
    revision: c.revision,
    finished: state.snapshot.status !== 'active',
    last: state.last,
    notices: c.notices.filter((n) => n.attention).length,
    stuck: stuckSteps(state, entry),
    undelivered: undeliveredOf(state),
    ...(state.usage ? { usage: state.usage.total } : {}),
    ...(state.faulted ? { faulted: state.faulted } : {}),
    manualSteps,
    ...(state.gitCommit ? { gitCommit: state.gitCommit } : {}),
  };
}

/** Runs that need a person first, then by how long they have waited. */
export function sortRuns(runs: RunSummary[]): RunSummary[] {
  return [...runs].sort((a, b) => Number(a.finished) - Number(b.finished) || WAITS.indexOf(a.waitsOn) - WAITS.indexOf(b.waitsOn) || a.since - b.since || a.runId.localeCompare(b.runId));
}

/** One entry of a run's timeline: a message in or out, a person's action, a step's end, a timer. */
export interface TimelineEntry {
  seq: number;
  at: number;
  dir: 'in' | 'out' | 'step' | 'timer' | 'person';
  peer: string;
  type: string;
  priority?: string;
  firstLine: string;
  /** Set when the event changed nothing, with the reason. */
  outOfPlace?: string;
  /** The whole message, for outgoing ones (incoming ones the mailbox keeps: `original(ref)`). */
  body?: string;
  /** Incoming: the mailbox's handle on the message, and where it came from (for people). */
  ref?: string;
  origin?: string;
  /** Outgoing: the message's key (undelivered ones are listed by it in the run's state). */
  key?: string;
  /** Outgoing and not delivered yet (to every recipient): why it is held. Set by {@link markHeld}. */
  held?: string;
}

/**
 * The timeline with each reply the run has not delivered yet marked held, with why (the
 * journal says what was sent; the run's state says what has not gone out), so no reply
 * looks sent when it is not. `show` and the UI both mark it.
 */
export function markHeld(entries: TimelineEntry[], state: RunState | undefined): TimelineEntry[] {
  const held = new Map((state ? undeliveredOf(state) : []).map((u) => [u.key, u.why]));
  if (held.size === 0) return entries;
  return entries.map((e) => (e.dir === 'out' && e.key !== undefined && held.has(e.key) ? { ...e, held: held.get(e.key)! } : e));
}

export function timeline(records: RunRecord[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const r of records) {
    if (r.kind === 'step-session') {
      out.push({ seq: r.seq, at: r.at, dir: 'step', peer: r.id, type: 'session', firstLine: r.session.fresh ?? `${r.session.cli} session ${r.session.id}` });
      continue;
    }
    if (r.kind !== 'event') continue;
    for (const a of appliedOf(r)) {
      const s = a.source;
      const oop = a.outOfPlace ? { outOfPlace: a.outOfPlace } : {};
      const at = { seq: r.seq, at: r.at };
      if (s.kind === 'message') out.push({ ...at, dir: 'in', peer: s.from, type: s.type, priority: s.priority, firstLine: s.firstLine, ref: s.ref ?? `cur/${s.file}`, origin: s.origin ?? s.file ?? '', ...oop });
      else if (s.kind === 'person') out.push({ ...at, dir: 'person', peer: 'person', type: s.action, firstLine: describeEvent(a.event), ...oop });
      else if (s.kind === 'timer') out.push({ ...at, dir: 'timer', peer: 'timer', type: timerName(s.id), firstLine: 'deadline reached', ...oop });
      else out.push({ ...at, dir: 'step', peer: s.id, type: stepEnd(a.event) ?? 'done', firstLine: describeEvent(a.event), ...oop });
      for (const o of a.outbox) {
        out.push({ ...at, dir: 'out', peer: o.recipients.join(', '), type: o.message.type, priority: o.message.priority, firstLine: o.message.body.split('\n').find((l) => l.trim()) ?? '', body: o.message.body, key: o.key });
      }
    }
  }
  return out;
}

function describeEvent(e: { type: string; [k: string]: unknown }): string {
  const output = e.output as { status?: string; reason?: string; output?: { text?: string; findings?: { summary?: string } } } | undefined;
  const outcome = (e.outcome as typeof output) ?? output;
  if (outcome?.status === 'done') return outcome.output?.findings?.summary ?? (outcome.output?.text ?? '').split('\n').find((l) => l.trim()) ?? 'done';
  // A failure's reason may be a program's whole stderr: one line here, all of it in the step's folder.
  if (outcome?.status) return oneLine(outcome.reason ?? '') || outcome.status;
  if (e.error !== undefined) return oneLine(String(e.error));
  const plain = e.output as { entry?: string; adaptations?: { instruction: string }[] } | undefined;
  if (plain?.entry !== undefined) return `log entry written: ${plain.entry}${gitCommitNote(gitCommitIn(e))}`;
  if (plain?.adaptations) return plain.adaptations.length ? `adaptations: ${plain.adaptations.map((a) => a.instruction).join('; ')}` : 'log read: no adaptation needed';
  if (e.type === 'PLAN_DECISION') return `${e.approved ? 'approved' : 'rejected'} ${String(e.feedback ?? '')}`.trim();
  if (e.type === 'RETRY') return `retry ${String(e.step)}`;
  if (e.type === 'CANCEL') return `cancelled: ${oneLine(String(e.body ?? '')) || 'no reason given'}`;
  return eventLabel(e);
}
