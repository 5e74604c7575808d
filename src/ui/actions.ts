import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Engine } from '../engine/engine.js';
import type { Message } from '../protocol/schema.js';
import { requeueRejected } from '../workspace/requeue.js';
import type { UiStore } from './store.js';

/** The engine's person actions the UI uses (`Engine` fits it). */
export type EngineActions = Pick<Engine, 'decide' | 'complete' | 'retry' | 'cancel' | 'send'>;

/** What a key press can ask of the engine. None throws: a refusal becomes an error note in the UI. */
export interface UiActions {
  decide(runId: string, approved: boolean, feedback: string): Promise<boolean>;
  /** Completes a step with `text`, or with a file's content when `text` is `@path`. */
  complete(runId: string, step: string, text: string): Promise<boolean>;
  fail(runId: string, step: string, reason: string): Promise<boolean>;
  retry(runId: string, step: string): Promise<boolean>;
  cancel(runId: string, reason: string): Promise<boolean>;
  send(message: Message): Promise<boolean>;
  /** Puts a fixed rejected message of the engine's inbox back into new/ (checked first). */
  requeue(name: string): Promise<boolean>;
}

/**
 * Wraps the engine's actions for key handlers: each reports success or the engine's
 * one-line reason as a note, and publishes a snapshot at once so the result shows.
 */
export function createActions(engine: EngineActions, store: UiStore, cwd: string = process.cwd()): UiActions {
  const attempt = async (done: string, fn: () => Promise<unknown>): Promise<boolean> => {
    try {
      await fn();
      store.note('info', done);
      return true;
    } catch (e) {
      store.note('error', e instanceof Error ? e.message : String(e));
      return false;
    } finally {
      store.flush();
    }
  };
  return {
    decide: (runId, approved, feedback) => attempt(`${runId}: plan ${approved ? 'approved' : 'rejected'}`, () => engine.decide(runId, approved, feedback)),
    complete: (runId, step, text) =>
      attempt(`${runId}: ${step} marked done`, async () => {
        // The prompt is one line: a typed \n is a new line (a file given with @path is taken as it is).
        const output = text.startsWith('@') ? await fs.readFile(path.resolve(cwd, text.slice(1).trim()), 'utf8') : text.replace(/\\n/g, '\n');
        await engine.complete(runId, step, { status: 'done', output: { text: output } });
      }),
    fail: (runId, step, reason) => attempt(`${runId}: ${step} marked failed`, () => engine.complete(runId, step, { status: 'failed', reason: reason || 'failed by a person' })),
    retry: (runId, step) => attempt(`${runId}: ${step} retried`, () => engine.retry(runId, step)),
    cancel: (runId, reason) => attempt(`${runId}: cancelled`, () => engine.cancel(runId, reason || 'cancelled by a person')),
    send: (message) => attempt(`${message.type} sent to ${message.to.join(', ')}`, () => engine.send(message)),
    requeue: (name) => {
      const { paths, config } = store.engine;
      return attempt(`${name} requeued into the inbox`, () => requeueRejected(paths, config, config.engine.member, name, { fsync: config.fsync }));
    },
  };
}
