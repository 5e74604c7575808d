import type { AnyMachineSnapshot, AnyTransitionDefinition, SnapshotFrom } from 'xstate';
import { createActor, initialTransition, transition } from 'xstate';
import { backendEngineerMachine } from '../../machines/backend-engineer.js';
import type { Adaptation, Outgoing, RunInput } from '../../machines/backend-engineer/context.js';
import type { Findings, StepOutcome } from '../../src/handlers/types.js';

/**
 * Drives the backend-engineer machine the way the engine does: purely, with xstate's
 * `transition`, reading sent messages from the emitted actions.
 */

export type Snap = SnapshotFrom<typeof backendEngineerMachine>;
/** Events as the engine makes them; RETRY/STEP_COMPLETED carry the step id too. */
export type Ev = { type: string; [key: string]: unknown };
type Action = { type: string; params?: Record<string, unknown> };

export const machine = backendEngineerMachine;
export const MEMBERS = ['analyst', 'conductor', 'breaker', 'sentinel', 'librarian'] as const;
export const SUBAGENT_IDS = ['architecture-validator', 'database-architect', 'code-reviewer', 'security-auditor', 'test-generator'] as const;
/** Every invoke id a person can retry or complete. */
export const STEP_IDS = ['plan', 'plan-check', 'pre-validate', 'implement', 'fix', ...SUBAGENT_IDS] as const;

/** Small limits, so every limit is reached in a few events. */
export const LIMITS = { planRevisions: 1, fixCycles: 1, implementRounds: 2, approvalReminderMs: 60_000, approvalEscalateMs: 120_000 };

export function runInput(limits: Partial<typeof LIMITS> = {}): RunInput {
  return { runId: 'run-1', task: { id: 't1', subject: 'Add signup', description: 'POST /users' }, limits: { ...LIMITS, ...limits } };
}

let ids = 0;
/** A message event as the engine's translation makes it. */
export function msg(type: string, from: string, extra: Record<string, unknown> = {}): Ev {
  ids += 1;
  return { type, from, messageId: `m${ids}`, body: `${type} from ${from}`, priority: 'MEDIUM', ...extra };
}

export const handoff = (from = 'analyst') => msg('HANDOFF', from, { landmines: 1, body: '## report\n- [LANDMINE] app/core/security.py:40 blocks' });
export const decision = (approved: boolean, from = 'conductor', feedback = approved ? '' : 'split the service') =>
  msg('PLAN_DECISION', from, { approved, feedback, body: approved ? 'APPROVED' : `REJECTED\n${feedback}` });
export const bug = (from = 'breaker', title = 'BUG-1: null email crashes signup') => msg('BUG', from, { body: `## ${title}\nsteps…` });
export const fail = (from = 'sentinel') => msg('FAIL', from, { body: '## FAIL: 2 tests\n- test_signup' });
export const notice = (from = 'librarian') => msg('NOTICE', from, { messageType: 'WARNING', attention: true, body: 'WARNING: disk nearly full' });

export const ok = (text = 'ok', more: Record<string, unknown> = {}): StepOutcome => ({ status: 'done', output: { text, ...more } });
export const failed: StepOutcome = { status: 'failed', reason: 'the command exited 1' };
export const needsPerson: StepOutcome = { status: 'needs-person', reason: 'the answer had no plan sections' };
export const findings = (blocking: number, summary = blocking ? '1 critical: SQL built by string concatenation' : 'clean'): Findings => ({
  blocking,
  counts: blocking ? { critical: blocking } : {},
  summary,
});
export const planDone = (schemaChange: boolean): StepOutcome =>
  ok('## Plan\n- app/services/UserService.py', { plan: { files: ['app/services/UserService.py'], schemaChange, landmines: 0, touchesDoNotTouch: [] } });

/** The event a finished step's actor sends (what the engine journals). */
export const done = (id: string, output: unknown): Ev => ({ type: `xstate.done.actor.${id}`, output });
export const error = (id: string): Ev => ({ type: `xstate.error.actor.${id}`, error: new Error(`${id} crashed`) });
export const logRead = (adaptations: Adaptation[] = []): Ev => done('read-log', { adaptations });
export const LAYERS: Adaptation = { rule: 'layer-violations', instruction: 'run architecture-validator first', reason: '2 layer violations last task' };
export const retry = (step: string): Ev => ({ type: 'RETRY', from: 'person', step });
export const completed = (step: string, outcome: StepOutcome): Ev => ({ type: 'STEP_COMPLETED', from: 'person', step, outcome });

export const REMINDER = 'xstate.after.approvalReminder.backend-engineer.awaitingApproval';
export const ESCALATE = 'xstate.after.approvalEscalate.backend-engineer.awaitingApproval.waiting';

/** The machine's first snapshot for `input`. */
export function start(input: RunInput = runInput()): Snap {
  return initialTransition(machine, input)[0];
}

/** One pure step: the next snapshot and the messages it emits. */
export function step(s: Snap, e: Ev): { next: Snap; sent: Outgoing[]; actions: Action[] } {
  const [next, actions] = transition(machine, s, e as never);
  return { next, actions: actions as Action[], sent: sentMessages(actions as Action[]) };
}

/** Applies events in order, collecting every message sent on the way. */
export function run(s: Snap, ...events: Ev[]): { snap: Snap; sent: Outgoing[] } {
  const sent: Outgoing[] = [];
  for (const e of events) {
    const r = step(s, e);
    s = r.next;
    sent.push(...r.sent);
  }
  return { snap: s, sent };
}

export function sentMessages(actions: Action[]): Outgoing[] {
  return actions
    .filter((a) => a.type === 'xstate.emit' && (a.params?.event as { type?: string } | undefined)?.type === 'send')
    .map((a) => (a.params!.event as { message: Outgoing }).message);
}


/** Sub-agent reports, in region order, each done with `blocking(agent)` findings. */
export function subagentsDone(blocking: (agent: string) => number = () => 0): Ev[] {
  return SUBAGENT_IDS.map((a) => done(a, ok(`${a} report`, { findings: findings(blocking(a)) })));
}

/** From idle to awaiting approval, on the happy path. */
export function toApproval(input?: RunInput, opts: { adaptations?: Adaptation[]; schemaChange?: boolean } = {}): Snap {
  return run(start(input), handoff(), logRead(opts.adaptations), done('plan', planDone(opts.schemaChange ?? true)), done('plan-check', ok('plan fits the layers'))).snap;
}

/** From idle to verifying, on the happy path. */
export function toVerifying(input?: RunInput): Snap {
  return run(toApproval(input), decision(true), done('implement', ok('built', { files: ['app/services/UserService.py'] })), ...subagentsDone()).snap;
}

/** The state value as a dotted label, one per active leaf ("fixing.fixing.running"). */
export function leaves(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix + value];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leaves(v, `${prefix}${k}.`));
}

/**
 * The transitions xstate selects for `event` in `snapshot`, eventless and done.state
 * ones included: read from the inspection events of the machine's own macrostep, so
 * coverage is what xstate did, not what a test thinks it did.
 */
export function takenTransitions(snapshot: AnyMachineSnapshot, event: Ev): AnyTransitionDefinition[] {
  const taken: AnyTransitionDefinition[] = [];
  inspector.sink = taken;
  machine.transition(snapshot as Snap, event as never, inspector.scope as never);
  inspector.sink = [];
  return taken;
}

/** One actor scope whose system reports microsteps: made once, it is costly to build. */
const inspector = (() => {
  const self = createActor(machine, { input: runInput() });
  const state = { sink: [] as AnyTransitionDefinition[], scope: {} as object };
  self.system.inspect((ie) => {
    if (ie.type === '@xstate.microstep') state.sink.push(...(ie as unknown as { _transitions: AnyTransitionDefinition[] })._transitions);
  });
  state.scope = { self, defer: () => {}, id: '', logger: () => {}, sessionId: '', stopChild: () => {}, system: self.system, emit: () => {}, actionExecutor: () => {} };
  return state;
})();

/** A transition's identity: source, event, its place among that event's candidates, targets. */
export function transitionKey(t: AnyTransitionDefinition): string {
  const list = t.eventType === '' ? (t.source.always ?? []) : (t.source.transitions.get(t.eventType) ?? []);
  const targets = (t.target ?? []).map((n) => n.id).join(',') || '(none)';
  return `${t.source.id} --${t.eventType || 'always'}[${list.indexOf(t)}]--> ${targets}`;
}
