import { EventEmitter } from 'node:events';
import { initialContext } from '../../machines/backend-engineer/context.js';
import type { RunContext } from '../../machines/backend-engineer/context.js';
import type { EngineEvents } from '../../src/engine/core.js';
import type { RunState } from '../../src/engine/run-state.js';
import { newRunState } from '../../src/engine/run-state.js';
import type { PendingStep } from '../../src/handlers/manual.js';
import type { EngineSource } from '../../src/ui/store.js';
import { configSchema } from '../../src/workspace/config-schema.js';
import { WorkspacePaths } from '../../src/workspace/paths.js';

/** A run's state as plain data, the way the engine keeps it (for reducers, stores and benchmarks). */
export function runState(runId: string, value: unknown, tags: string[], ctx: Partial<RunContext> = {}, over: Partial<RunState> = {}): RunState {
  const context = {
    ...initialContext({ runId, task: { id: runId, subject: `task ${runId}`, description: '' }, limits: { planRevisions: 3, fixCycles: 5, implementRounds: 2, approvalReminderMs: 1, approvalEscalateMs: 2 } }),
    ...ctx,
  };
  const status = value === 'done' || value === 'cancelled' ? 'done' : 'active';
  return {
    ...newRunState(runId, { id: 'backend-engineer', version: 1 }, { value, context: context as unknown as Record<string, unknown>, status, tags }, 0),
    ...over,
  };
}

/** An engine stand-in the store can read: runs in a map, events on an emitter. */
export class FakeEngine implements EngineSource {
  readonly states = new Map<string, RunState>();
  readonly core = Object.assign(new EventEmitter<EngineEvents>(), { now: () => 0 });
  readonly config = configSchema.parse({ members: ['analyst', 'conductor', 'backend-engineer', 'breaker', 'sentinel', 'librarian'], engine: { member: 'backend-engineer' } });
  readonly paths = new WorkspacePaths('/nonexistent-teamstate-workspace');
  pendingSteps: PendingStep[] = [];
  private listeners = new Set<() => void>();
  readonly manual = {
    pending: () => this.pendingSteps,
    subscribe: (l: () => void) => {
      this.listeners.add(l);
      return () => this.listeners.delete(l);
    },
  };
  runs(): RunState[] {
    return [...this.states.values()];
  }
  run(id: string): RunState | undefined {
    return this.states.get(id);
  }
  /** What the engine does after each commit: keep the state, tell the readers. */
  update(s: RunState): void {
    this.states.set(s.runId, s);
    this.core.emit('run', s);
  }
}
