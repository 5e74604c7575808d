import { promises as fs } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { assign, emit, fromPromise, setup } from 'xstate';
import type { MachineEntry, RunView } from '../../machines/entry.js';
import { stateLabel } from '../../src/engine/apply.js';
import { Engine } from '../../src/engine/engine.js';
import { stuckSteps, summarize } from '../../src/engine/view.js';
import type { StepOutcome } from '../../src/handlers/types.js';
import { stagesOf } from '../../src/ui/lifecycle.js';
import type { WorkspacePaths } from '../../src/workspace/paths.js';
import { delivered, drop, tempWorkspace, until } from './helpers.js';

/**
 * A second teammate, registered only here: a reviewer that takes a REQUEST from the
 * analyst, runs one step, answers with a STATUS, reminds the analyst once an hour, and
 * is done when the analyst says thanks. Nothing in src/ knows it.
 */
interface Ctx {
  task: { id: string; subject: string; description: string };
  question: string;
  answer?: string;
  reminders: number;
}
type Ev =
  | { type: 'ASK'; from: string; messageId: string; body: string }
  | { type: 'THANKS'; from: string; messageId: string; body: string }
  | { type: 'OTHER'; from: string; messageId: string; body: string }
  | { type: 'RETRY'; from: string; step: string }
  | { type: `xstate.done.actor.${string}`; output: StepOutcome };

type Emitted = { type: 'send'; message: { to: string[]; type: 'STATUS' | 'REQUEST'; priority: 'LOW' | 'MEDIUM'; body: string } } | { type: 'task'; status: 'completed' };

const fromAnalyst = ({ event }: { event: Ev }) => 'from' in event && event.from === 'analyst';

const reviewer = setup({
  types: {} as { context: Ctx; events: Ev; input: { task: Ctx['task'] }; emitted: Emitted },
  actors: { implement: fromPromise<StepOutcome, unknown>(async () => ({ status: 'failed', reason: 'supplied by the engine' })) },
}).createMachine({
  id: 'reviewer',
  context: ({ input }) => ({ task: input?.task ?? { id: '', subject: '', description: '' }, question: '', reminders: 0 }),
  initial: 'idle',
  states: {
    idle: {
      meta: { stage: 'ask', expects: 'a question' },
      on: { ASK: { guard: fromAnalyst, target: 'reviewing', actions: assign({ question: ({ event }) => (event as { body: string }).body }) } },
    },
    reviewing: {
      meta: { stage: 'review', step: 'implement' },
      initial: 'running',
      states: {
        running: {
          tags: ['working'],
          invoke: {
            id: 'implement',
            src: 'implement',
            input: ({ context }: { context: Ctx }) => ({ question: context.question }),
            onDone: [
              {
                guard: ({ event }) => event.output.status === 'done',
                target: '#reviewer.answered',
                actions: [
                  assign({ answer: ({ event }) => (event.output.status === 'done' ? event.output.output.text : '') }),
                  emit(({ event }) => ({ type: 'send' as const, message: { to: ['analyst'], type: 'STATUS' as const, priority: 'MEDIUM' as const, body: `reviewed: ${event.output.status === 'done' ? event.output.output.text : ''}` } })),
                ],
              },
              { target: 'stuck' },
            ],
          },
        },
        stuck: { tags: ['waiting-on-person'], on: { RETRY: { target: 'running' } } },
      },
    },
    answered: {
      meta: { stage: 'answer', expects: "the analyst's thanks" },
      tags: ['waiting-on-analyst'],
      after: {
        3_600_000: {
          target: 'answered',
          reenter: true,
          actions: [assign({ reminders: ({ context }) => context.reminders + 1 }), emit({ type: 'send' as const, message: { to: ['analyst'], type: 'REQUEST' as const, priority: 'LOW' as const, body: 'reminder: did the review answer your question?' } })],
        },
      },
      on: { THANKS: { guard: fromAnalyst, target: 'done' } },
    },
    done: { type: 'final', meta: { stage: 'done' }, entry: emit({ type: 'task' as const, status: 'completed' as const }) },
  },
});

const entry: MachineEntry = {
  id: 'reviewer',
  version: 1,
  machine: reviewer,
  steps: ['implement'],
  subagents: [],
  stages: [
    { id: 'ask', label: 'ask' },
    { id: 'review', label: 'review' },
    { id: 'answer', label: 'answer' },
    { id: 'done', label: 'done' },
  ],
  input: ({ task }) => ({ task }),
  event: (m, from, messageId) => ({ type: m.type === 'REQUEST' ? 'ASK' : m.type === 'STATUS' ? 'THANKS' : 'OTHER', from, messageId, body: m.body }),
  starts: (m, from) => (m.type !== 'REQUEST' ? undefined : from === 'analyst' ? { ok: true, subject: m.body.split('\n')[0]! } : { ok: false, reason: `only the analyst asks, not ${from}` }),
  startHint: "a run starts with the analyst's REQUEST",
  task: (c) => (c as Ctx).task,
  view: (c): RunView => ({ task: (c as Ctx).task, revision: 0, fixCycles: 0, notices: [], adaptations: 0, subagents: {}, facts: [{ label: 'Answer', lines: [(c as Ctx).answer ?? '-'] }] }),
  explain: (state, _status, event) => `${event.type} has no place while ${state}`,
  migrations: {},
};

const machines = { reviewer: entry };
const answered: string[] = [];
const handlers = {
  implement: async (req: { input: unknown }): Promise<StepOutcome> => {
    answered.push((req.input as { question: string }).question);
    return { status: 'done', output: { text: 'the endpoint is fine' } };
  },
};

let paths: WorkspacePaths | undefined;
afterEach(async () => {
  if (paths) await fs.rm(paths.root, { recursive: true, force: true });
  paths = undefined;
});

describe('a second machine registered only in a test', () => {
  it('should be driven by the unchanged engine through a whole lifecycle, across a restart and a durable timer', async () => {
    paths = await tempWorkspace('instant', (c) => {
      (c.engine as Record<string, unknown>).machine = 'reviewer';
    });
    let now = Date.parse('2026-12-01T09:00:00Z');
    const start = () => Engine.start({ workspaceDir: paths!.root, watch: false, now: () => now, settleMs: 0, machines, handlers });

    let engine = await start();
    try {
      await drop(paths, 'backend-engineer', { from: 'breaker', type: 'REQUEST', priority: 'LOW', task: 'q0', body: 'may I ask too?' });
      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'REQUEST', priority: 'MEDIUM', task: 'q1', body: 'Is the signup endpoint safe?' });
      await until(engine, () => engine.run('q1')?.snapshot.value === 'answered', 'the review to be answered');
      expect(engine.run('q0')).toBeUndefined();
      const rejected = await fs.readdir(paths.inbox('backend-engineer').rejected);
      expect(rejected.some((n) => n.endsWith('.reason.txt'))).toBe(true);
      expect(answered).toEqual(['Is the signup endpoint safe?']);
      const out = await delivered(paths, 'analyst');
      expect(out).toHaveLength(1);
      expect(out[0]).toContain('reviewed: the endpoint is fine');
      expect(out[0]).toContain('[TASK: q1]');

      const run = engine.run('q1')!;
      expect(summarize(run, undefined, entry).waitsOn).toBe('analyst');
      expect(stuckSteps(run, entry)).toEqual([]);
      expect(stagesOf(run, entry).map((s) => `${s.status}:${s.id}`)).toEqual(['done:ask', 'done:review', 'current:answer', 'todo:done']);
    } finally {
      await engine.stop();
    }

    // The reminder is a durable timer: an hour later, a new engine fires it once.
    now += 3_600_000 + 1;
    engine = await start();
    try {
      await until(engine, async () => (await delivered(paths!, 'analyst')).length === 2, 'the reminder');
      expect((await delivered(paths, 'analyst'))[1]).toContain('reminder: did the review answer your question?');
      expect((engine.run('q1')!.snapshot.context as unknown as Ctx).reminders).toBe(1);

      await drop(paths, 'backend-engineer', { from: 'analyst', type: 'STATUS', priority: 'LOW', task: 'q1', body: 'thanks' });
      await until(engine, () => engine.run('q1')?.snapshot.status === 'done', 'the run to finish');
      const run = engine.run('q1')!;
      expect(stateLabel(run.snapshot.value)).toBe('done');
      expect(stagesOf(run, entry).every((s) => s.status === 'done')).toBe(true);
      expect(answered).toHaveLength(1);
    } finally {
      await engine.stop();
    }
  });
});
