import { assign } from 'xstate';
import { initialContext } from './backend-engineer/context.js';
import { backendEngineerSetup, ev, fromSender } from './backend-engineer/setup.js';
import { stepStates, subagentRegion } from './backend-engineer/step-states.js';
import { SUBAGENTS, stepInput } from './backend-engineer/steps.js';

/**
 * The backend-engineer's lifecycle (DESIGN §1). Pure: step work is done by actors the
 * engine supplies with `provide` (or runs itself from the spawn actions), messages go
 * out as emitted `send` effects, and timers are `after` delays the engine makes durable.
 */

export const MACHINE_ID = 'backend-engineer';
/** Bump when a persisted snapshot of the old shape can no longer be read as-is. */
export const MACHINE_VERSION = 1;

export const backendEngineerMachine = backendEngineerSetup.createMachine({
  id: MACHINE_ID,
  context: ({ input }) => initialContext(input),
  initial: 'idle',
  on: {
    CANCEL: { guard: 'fromSender', target: '.cancelled', actions: 'recordCancel' },
    NOTICE: { actions: 'recordNotice' },
  },
  states: {
    idle: {
      meta: { stage: 'handoff', expects: "the analyst's HANDOFF" },
      tags: ['waiting-on-analyst'],
      on: { HANDOFF: { guard: 'fromSender', target: 'readingLog', actions: 'startRun' } },
    },
    readingLog: {
      meta: { stage: 'log', expects: 'the agent log to be read' },
      tags: ['working'],
      entry: 'taskInProgress',
      invoke: {
        id: 'read-log',
        src: 'readLog',
        input: ({ context }) => ({ taskId: context.task.id }),
        onDone: { target: 'planning', actions: 'setAdaptations' },
        onError: { target: 'planning', actions: 'noteLogError' },
      },
    },
    planning: {
      meta: { stage: 'plan', expects: 'the plan to be drafted' },
      initial: 'drafting',
      states: {
        drafting: stepStates('plan', 'plan', (c) => stepInput(c), { target: '#backend-engineer.planning.validating', actions: 'acceptPlan' }),
        validating: stepStates('plan-check', 'architecture-validator', (c) => stepInput(c, 'plan'), { target: '#backend-engineer.awaitingApproval' }),
      },
    },
    awaitingApproval: {
      meta: { stage: 'approval', expects: "the conductor's decision on the plan" },
      entry: 'sendPlan',
      initial: 'waiting',
      states: {
        waiting: { tags: ['waiting-on-conductor'], after: { approvalEscalate: 'overdue' } },
        overdue: { tags: ['waiting-on-person'], entry: 'sendOverdue' },
      },
      after: { approvalReminder: { actions: 'sendReminder' } },
      on: {
        PLAN_DECISION: [
          { guard: 'approved', target: 'implementing', actions: 'recordApproval' },
          { guard: 'revisionsLeft', target: 'planning', actions: 'recordRejection' },
          { guard: 'fromSender', target: 'escalated', actions: ['recordRejection', 'escalatePlan', 'sendEscalation'] },
        ],
      },
    },
    implementing: {
      meta: { stage: 'implement', expects: 'the implementation step' },
      initial: 'choosing',
      states: {
        choosing: { always: [{ guard: 'validateFirst', target: 'prevalidating' }, { target: 'working' }] },
        prevalidating: stepStates('pre-validate', 'architecture-validator', (c) => stepInput(c, 'plan'), { target: '#backend-engineer.implementing.working' }),
        working: stepStates('implement', 'implement', (c) => stepInput(c), { target: '#backend-engineer.subDelegating', actions: 'acceptWork' }),
      },
    },
    subDelegating: {
      meta: { stage: 'subagents', expects: "the sub-agents' reports" },
      type: 'parallel',
      entry: 'startSubagents',
      states: Object.fromEntries(SUBAGENTS.map((a) => [a, subagentRegion(a)])),
      onDone: [
        { guard: 'blockingWithRoundsLeft', target: '#backend-engineer.implementing', actions: 'collectFindings' },
        { guard: 'blockingFindings', target: 'escalated', actions: ['escalateFindings', 'sendEscalation'] },
        { target: 'handingOff' },
      ],
    },
    handingOff: {
      meta: { stage: 'handoffs' },
      entry: ['sendSentinelHandoff', 'sendBreakerHandoff', 'sendLibrarianStatus'],
      always: 'verifying',
    },
    verifying: {
      meta: { stage: 'verify', expects: "sentinel's PASS/FAIL or breaker's BUG/CLEAR" },
      tags: ['waiting-on-verification'],
      on: {
        PASS: { guard: 'fromSender', target: 'logging', actions: 'recordPass' },
        FAIL: [
          { guard: 'cyclesLeft', target: 'fixing', actions: ['queueIssue', 'takeIssue'] },
          { guard: 'fromSender', target: 'escalated', actions: ['queueIssue', 'escalateFix', 'sendFixEscalation'] },
        ],
        BUG: [
          { guard: 'cyclesLeft', target: 'fixing', actions: ['queueIssue', 'takeIssue'] },
          { guard: 'fromSender', target: 'escalated', actions: ['queueIssue', 'escalateFix', 'sendFixEscalation'] },
        ],
        CLEAR: { guard: 'fromSender', actions: 'recordClear' },
      },
    },
    fixing: {
      meta: { stage: 'verify', expects: 'the fix in progress' },
      initial: 'fixing',
      on: {
        BUG: { guard: 'fromSender', actions: 'queueIssue' },
        FAIL: { guard: 'fromSender', actions: 'queueIssue' },
        CLEAR: { guard: 'fromSender', actions: 'recordClear' },
      },
      states: {
        fixing: stepStates('fix', 'fix', (c) => stepInput(c), { target: '#backend-engineer.fixing.next', actions: ['acceptWork', 'finishFix', 'sendBugFix', 'clearCurrent'] }),
        next: {
          always: [
            { guard: 'issuesWithCyclesLeft', target: '#backend-engineer.fixing', reenter: true, actions: 'takeIssue' },
            // An issue queued during a fix counts against the same limit as one from verifying.
            { guard: 'hasIssues', target: '#backend-engineer.escalated', actions: ['escalateFix', 'sendFixEscalation'] },
            { target: '#backend-engineer.verifying' },
          ],
        },
      },
    },
    escalated: {
      meta: { expects: "the conductor's decision (APPROVED to go on, REJECTED or CANCEL to stop)" },
      tags: ['waiting-on-conductor', 'waiting-on-person'],
      on: {
        // Kept as work for when the conductor lets the run go on.
        BUG: { guard: 'fromSender', actions: 'queueIssue' },
        FAIL: { guard: 'fromSender', actions: 'queueIssue' },
        PLAN_DECISION: [
          { guard: ({ context, event }) => fromSender({ event }) && ev(event, 'PLAN_DECISION').approved && context.escalation?.kind === 'plan', target: 'implementing', actions: ['clearEscalation', assign({ planApprovedFirstTry: false })] },
          { guard: ({ context, event }) => fromSender({ event }) && ev(event, 'PLAN_DECISION').approved && context.escalation?.kind === 'fix', target: 'resumeFixing', actions: 'allowMoreFixes' },
          { guard: 'approved', target: 'handingOff', actions: 'clearEscalation' },
          { guard: 'fromSender', target: 'cancelled', actions: assign(({ event }) => ({ cancelReason: `rejected: ${ev(event, 'PLAN_DECISION').feedback}` })) },
        ],
      },
    },
    resumeFixing: {
      meta: { stage: 'verify' },
      always: [{ guard: 'hasIssues', target: 'fixing', actions: 'takeIssue' }, { target: 'verifying' }],
    },
    logging: {
      meta: { stage: 'logging', expects: 'the agent log entry' },
      tags: ['working'],
      invoke: {
        id: 'write-log',
        src: 'writeLog',
        input: ({ context }) => context,
        onDone: { target: 'done' },
        // The task is done either way; the person sees why the log has no entry.
        onError: { target: 'done', actions: 'noteLogError' },
      },
    },
    done: { type: 'final', meta: { stage: 'done' }, tags: ['finished'], entry: ['sendCompletion', 'taskCompleted'] },
    cancelled: { type: 'final', tags: ['finished'], entry: 'sendCancelled' },
  },
});

export type BackendEngineerMachine = typeof backendEngineerMachine;
