import type { MachineEntry, RunView, StageDef, Start } from '../entry.js';
import { firstLine } from '../../src/protocol/text.js';
import type { Message } from '../../src/protocol/schema.js';
import { MACHINE_ID, MACHINE_VERSION, backendEngineerMachine } from '../backend-engineer.js';
import type { RunContext, RunInput, RunLimits } from './context.js';
import { toEvent } from './events.js';
import { SENDERS, senderAllowed } from './rules.js';
import { STEPS, SUBAGENTS } from './steps.js';

/** The lifecycle's stages in order; each top-level state names its own in `meta.stage`. */
const STAGES: StageDef[] = [
  { id: 'handoff', label: 'handoff' },
  { id: 'log', label: 'read log' },
  { id: 'plan', label: 'plan' },
  { id: 'approval', label: 'approval' },
  { id: 'implement', label: 'implement' },
  { id: 'subagents', label: 'sub-agents' },
  { id: 'handoffs', label: 'hand off' },
  { id: 'verify', label: 'verify' },
  { id: 'logging', label: 'log entry' },
  { id: 'done', label: 'done' },
];

/** Where each kind of escalation stopped the lifecycle. */
const ESCALATED_AT: Record<NonNullable<RunContext['escalation']>['kind'], string> = { plan: 'approval', fix: 'verify', findings: 'subagents' };

/** The furthest stage the context shows evidence of: where a cancelled run stopped. */
function reached(c: RunContext): string {
  if (c.sentinelVerdicts.length) return 'verify';
  if (Object.keys(c.subagents).length) return 'subagents';
  if (c.planApprovedFirstTry !== undefined) return 'implement';
  if (c.plan) return 'approval';
  return c.handoff ? 'plan' : 'handoff';
}

const LIMIT_KEYS = ['planRevisions', 'fixCycles', 'implementRounds', 'approvalReminderMs', 'approvalEscalateMs'] as const;

function input(run: { runId: string; task: RunInput['task']; limits: Record<string, unknown> }): RunInput {
  const limits = Object.fromEntries(LIMIT_KEYS.map((k) => [k, Number(run.limits[k] ?? 0)])) as unknown as RunLimits;
  return { runId: run.runId, task: run.task, limits };
}

/** The analyst's HANDOFF starts a run; a HANDOFF from anyone else is kept with the reason. */
function starts(m: Message, from: string): Start | undefined {
  if (m.type !== 'HANDOFF') return undefined;
  if (!senderAllowed('HANDOFF', from)) return { ok: false, reason: `a HANDOFF starts a run only from ${SENDERS.HANDOFF!.join(' or ')}, not from ${from}` };
  const subject = firstLine(m.body).replace(/^#+\s*/, '').replace(/^ANALYST REPORT\s*[—-]\s*/i, '');
  return { ok: true, subject: subject || 'untitled task' };
}

function view(context: unknown, value: unknown): RunView {
  const c = context as RunContext;
  const top = typeof value === 'string' ? value : Object.keys(value ?? {})[0];
  const escalated = top === 'escalated' && c.escalation ? ESCALATED_AT[c.escalation.kind] : undefined;
  return {
    task: c.task,
    blocked: c.blocked,
    plan: c.plan,
    cancelReason: c.cancelReason,
    revision: c.revision,
    fixCycles: c.fixCycles,
    fixLimit: c.limits.fixCycles,
    notices: c.notices,
    adaptations: c.adaptations.length,
    subagents: c.subagents,
    stage: escalated ?? (top === 'cancelled' ? reached(c) : undefined),
    ...(top === 'fixing' ? { stageLabels: { verify: `fix #${c.fixCycles + 1}` } } : {}),
    facts: facts(c),
  };
}

function facts(c: RunContext): RunView['facts'] {
  const firstTry = c.planApprovedFirstTry !== undefined ? `, approved first try: ${c.planApprovedFirstTry ? 'yes' : 'no'}` : '';
  return [
    { label: 'Plan', lines: [`revision ${c.revision}${firstTry}`] },
    { label: 'Fixes', lines: [`${c.fixCycles} cycle(s)${c.fixed.length ? `: ${c.fixed.join('; ')}` : ''}`] },
    { label: 'Files', lines: [c.files.join(', ') || '-'] },
    { label: 'Sub-agents', lines: [Object.entries(c.subagents).map(([a, r]) => `${a}: ${r.summary}`).join(' | ') || '-'] },
    ...(c.adaptations.length ? [{ label: 'Adaptations', lines: c.adaptations.map((a) => `${a.instruction} (because ${a.reason})`) }] : []),
    ...(c.notices.length ? [{ label: 'Notices', lines: c.notices.map((n) => `${n.type} from ${n.from}: ${n.firstLine}`) }] : []),
  ];
}

/**
 * Why an event changes nothing in the state it arrived in: a sender who may not say
 * this, or a message that has no place here. Shown to the user beside the message.
 */
export function explainOutOfPlace(state: string, status: string, event: { type: string; from?: string }): string {
  const label = event.type === 'PLAN_DECISION' ? 'a plan decision' : event.type;
  if (status !== 'active') return `the run has ended (${state}); ${label} changes nothing`;
  const from = event.from ?? 'unknown';
  const allowed = SENDERS[event.type as keyof typeof SENDERS];
  if (allowed && !allowed.includes(from)) return `${label} is only accepted from ${allowed.join(' or ')}, not from ${from}`;
  const top = state.split('.')[0] ?? state;
  const expects = (backendEngineerMachine.root.states[top]?.meta as { expects?: string } | undefined)?.expects;
  return `${label} from ${from} has no place while ${top} (waiting for ${expects ?? 'the current step'})`;
}

export const backendEngineer: MachineEntry = {
  id: MACHINE_ID,
  version: MACHINE_VERSION,
  machine: backendEngineerMachine,
  steps: STEPS,
  subagents: SUBAGENTS,
  stages: STAGES,
  input,
  event: toEvent,
  starts,
  task: (context) => (context as RunContext).task,
  startHint: "a run starts with the analyst's HANDOFF",
  view,
  explain: explainOutOfPlace,
  migrations: {},
};
