import { assign, emit, setup } from 'xstate';
import type { Adaptation, Issue, RunContext, RunEmitted, RunEvent, RunInput } from './context.js';
import * as msg from './messages.js';
import { senderAllowed } from './rules.js';
import type { StepEvent } from './steps.js';
import { escalation, hasBlocking, outcomeOf, supplied } from './steps.js';

/** Whether the event's sender may send it (the rules' table of who may say what). */
export const fromSender = ({ event }: { event: RunEvent }) => 'from' in event && senderAllowed(event.type, event.from);
/** The event as the member of the union its type names. */
export const ev = <T extends RunEvent['type']>(e: RunEvent, _t: T) => e as Extract<RunEvent, { type: T }>;


/** The backend-engineer's types and named sources; its states are in backend-engineer.ts. */
export const backendEngineerSetup = setup({
  types: {} as { context: RunContext; events: RunEvent; input: RunInput; emitted: RunEmitted },
  actors: {
    readLog: supplied<{ adaptations: Adaptation[] }, { taskId: string }>('readLog'),
    writeLog: supplied<{ entry: string }, RunContext>('writeLog'),
    plan: supplied('plan'),
    implement: supplied('implement'),
    fix: supplied('fix'),
    'architecture-validator': supplied('architecture-validator'),
    'database-architect': supplied('database-architect'),
    'code-reviewer': supplied('code-reviewer'),
    'security-auditor': supplied('security-auditor'),
    'test-generator': supplied('test-generator'),
  },
  delays: {
    approvalReminder: ({ context }) => context.limits.approvalReminderMs,
    approvalEscalate: ({ context }) => context.limits.approvalEscalateMs,
  },
  guards: {
    fromSender,
    succeeded: ({ event }) => outcomeOf(event as StepEvent).status === 'done',
    approved: ({ event }) => fromSender({ event }) && ev(event, 'PLAN_DECISION').approved,
    revisionsLeft: ({ context, event }) => fromSender({ event }) && context.revision < context.limits.planRevisions,
    schemaChange: ({ context }) => context.schemaChange,
    validateFirst: ({ context }) => context.adaptations.some((a) => a.rule === 'layer-violations'),
    blockingFindings: ({ context }) => hasBlocking(context),
    blockingWithRoundsLeft: ({ context }) => hasBlocking(context) && context.implementRound + 1 < context.limits.implementRounds,
    cyclesLeft: ({ context, event }) => fromSender({ event }) && context.fixCycles < context.limits.fixCycles,
    hasIssues: ({ context }) => context.issues.length > 0,
    issuesWithCyclesLeft: ({ context }) => context.issues.length > 0 && context.fixCycles < context.limits.fixCycles,
  },
  actions: {
    startRun: assign(({ event }) => {
      const e = ev(event, 'HANDOFF');
      return { handoff: e.body, landmines: e.landmines };
    }),
    clearBlocked: assign({ blocked: undefined }),
    noteLogError: assign(({ context, event }) => ({
      notices: [
        ...context.notices,
        { type: 'WARNING' as const, from: 'teamstate', firstLine: `agent log: ${String((event as { error?: unknown }).error)}`.slice(0, 200), messageId: '', attention: true },
      ],
    })),
    noteStuck: assign(({ event }) => {
      const o = outcomeOf(event as StepEvent);
      return { blocked: o.status === 'done' ? undefined : o.reason };
    }),
    acceptPlan: assign(({ context, event }) => {
      const o = outcomeOf(event as StepEvent);
      if (o.status !== 'done') return {};
      return {
        plan: o.output.text,
        planFiles: o.output.plan?.files ?? [],
        schemaChange: o.output.plan?.schemaChange ?? false,
        landmines: Math.max(o.output.plan?.landmines ?? 0, context.landmines),
      };
    }),
    recordApproval: assign(({ context }) => ({ planApprovedFirstTry: context.revision === 0 })),
    recordRejection: assign(({ context, event }) => ({
      revision: context.revision + 1,
      rejections: [...context.rejections, ev(event, 'PLAN_DECISION').feedback],
    })),
    acceptWork: assign(({ context, event }) => {
      const o = outcomeOf(event as StepEvent);
      const files = o.status === 'done' ? (o.output.files ?? []) : [];
      return { files: [...new Set([...context.files, ...files])] };
    }),
    recordFinding: assign(({ context, event }) => {
      const e = event as StepEvent;
      const agent = e.type.startsWith('xstate.done.actor.') ? e.type.slice('xstate.done.actor.'.length) : (e.step ?? '');
      const o = outcomeOf(e);
      const f = o.status === 'done' ? (o.output.findings ?? { blocking: 0, counts: {}, summary: 'no findings reported' }) : undefined;
      if (!f) return {};
      return {
        subagents: { ...context.subagents, [agent]: { status: 'done' as const, ...f } },
        // Sorted, so the history doesn't depend on which parallel sub-agent finished first.
        findingsHistory: [...context.findingsHistory, { round: context.implementRound, agent, ...f }].sort((a, b) => a.round - b.round || a.agent.localeCompare(b.agent)),
      };
    }),
    recordSkipped: assign(({ context }) => ({
      subagents: { ...context.subagents, 'database-architect': { status: 'skipped' as const, summary: 'the plan changes no schema' } },
    })),
    startSubagents: assign({ subagents: {} }),
    collectFindings: assign(({ context }) => ({
      implementRound: context.implementRound + 1,
      findings: Object.entries(context.subagents)
        .filter(([, r]) => r.status === 'done' && r.blocking > 0)
        .map(([a, r]) => `- ${a}: ${r.summary}`)
        .join('\n'),
    })),
    queueIssue: assign(({ context, event }) => {
      const e = event as Extract<RunEvent, { type: 'BUG' | 'FAIL' }>;
      const issue: Issue = { type: e.type, from: e.from, body: e.body, messageId: e.messageId };
      return {
        issues: [...context.issues, issue],
        breakerBugs: context.breakerBugs + (e.type === 'BUG' ? 1 : 0),
        bugTitles: e.type === 'BUG' ? [...context.bugTitles, msg.issueTitle(e)] : context.bugTitles,
        sentinelVerdicts: e.type === 'FAIL' ? [...context.sentinelVerdicts, 'FAIL' as const] : context.sentinelVerdicts,
      };
    }),
    takeIssue: assign(({ context }) => ({ current: context.issues[0], issues: context.issues.slice(1) })),
    finishFix: assign(({ context }) => ({
      fixCycles: context.fixCycles + 1,
      fixed: context.current ? [...context.fixed, `${msg.issueTitle(context.current)} (${context.current.from})`] : context.fixed,
    })),
    sendBugFix: emit(({ context }) => ({ type: 'send' as const, message: msg.bugFixMessage(context, context.current!) })),
    clearCurrent: assign({ current: undefined }),
    recordPass: assign(({ context }) => ({ sentinelVerdicts: [...context.sentinelVerdicts, 'PASS' as const] })),
    // An action, not an empty transition: xstate's can() is false for one, and the engine
    // would show breaker's CLEAR as out of place.
    recordClear: assign({ breakerCleared: true }),
    recordNotice: assign(({ context, event }) => {
      const e = ev(event, 'NOTICE');
      const firstLine = e.body.split('\n').find((l) => l.trim()) ?? '';
      return { notices: [...context.notices, { type: e.messageType, from: e.from, firstLine: firstLine.slice(0, 120), messageId: e.messageId, attention: e.attention }] };
    }),
    escalatePlan: assign(({ context }) => escalation('plan', `the plan was rejected ${context.rejections.length} times (limit ${context.limits.planRevisions} revisions)`)),
    escalateFix: assign(({ context }) => escalation('fix', `${context.fixCycles} fix cycles used (limit ${context.limits.fixCycles})`)),
    escalateFindings: assign(({ context }) => escalation('findings', `blocking sub-agent findings remain after ${context.implementRound + 1} implement rounds`)),
    sendEscalation: emit(({ context }) => ({ type: 'send' as const, message: msg.escalationMessage(context, context.escalation?.reason ?? '') })),
    sendFixEscalation: emit(({ context }) => ({ type: 'send' as const, message: msg.fixEscalation(context, context.issues[context.issues.length - 1]!) })),
    allowMoreFixes: assign(({ context }) => ({
      limits: { ...context.limits, fixCycles: context.fixCycles + context.limits.fixCycles },
      escalation: undefined,
      blocked: undefined,
    })),
    clearEscalation: assign({ escalation: undefined, blocked: undefined }),
    recordCancel: assign(({ event }) => ({ cancelReason: ev(event, 'CANCEL').body.split('\n')[0] ?? '' })),
    sendPlan: emit(({ context }) => ({ type: 'send' as const, message: msg.planMessage(context) })),
    sendReminder: emit(({ context }) => ({ type: 'send' as const, message: msg.reminderMessage(context) })),
    sendOverdue: emit(({ context }) => ({ type: 'send' as const, message: msg.overdueMessage(context) })),
    sendSentinelHandoff: emit(({ context }) => ({ type: 'send' as const, message: msg.sentinelHandoff(context) })),
    sendBreakerHandoff: emit(({ context }) => ({ type: 'send' as const, message: msg.breakerHandoff(context) })),
    sendLibrarianStatus: emit(({ context }) => ({ type: 'send' as const, message: msg.librarianStatus(context) })),
    sendCompletion: emit(({ context }) => ({ type: 'send' as const, message: msg.completionStatus(context) })),
    sendCancelled: emit(({ context }) => ({ type: 'send' as const, message: msg.cancelledStatus(context) })),
    taskInProgress: emit({ type: 'task' as const, status: 'in_progress' as const }),
    taskCompleted: emit({ type: 'task' as const, status: 'completed' as const }),
    setAdaptations: assign(({ event }) => ({ adaptations: (event as unknown as { output: { adaptations: Adaptation[] } }).output.adaptations })),
  },
});
