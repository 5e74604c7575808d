import type { LogEntry } from './types.js';

/** One task's figures as the trend table shows them; `null` where the entry does not say. */
export interface TaskFigures {
  date: string;
  task: string;
  taskId: string | null;
  fixCycles: number | null;
  firstPass: boolean | null;
  planApproved: boolean | null;
  planRevisions: number | null;
  sentinelFirstTry: boolean | null;
  breakerBugs: number | null;
  layerViolations: number | null;
  /** USD the task's LLM steps cost, as its entry says. */
  costUsd: number | null;
}

export interface Trends {
  /** Readable entries counted. */
  tasks: number;
  /** Fix cycles per task that states them, oldest first. */
  fixCycles: number[];
  /** Share of tasks (0..1) with first-pass success, among those that state it; 0 when none do. */
  firstPassRate: number;
  /** Share of plans approved first try. */
  approvalRate: number;
  /** Share of tasks sentinel passed first try. */
  sentinelFirstPassRate: number;
  /** How many tasks each rate was computed over. */
  rated: { firstPass: number; approval: number; sentinel: number };
  /** Cost per task (USD) of the tasks whose entry states it, oldest first, and their mean. */
  costPerTask: number[];
  meanCostUsd: number | null;
  /** Mean fix cycles of the later half of the tasks against the earlier half (fewer is better). */
  fixCyclesTrend: 'improving' | 'stable' | 'degrading' | 'too few tasks';
  perTask: TaskFigures[];
}

/** Figures over tasks, oldest first, for `teamstate log` and the librarian's "is the team getting better". */
export function trends(entries: LogEntry[]): Trends {
  const perTask: TaskFigures[] = entries
    .filter((e) => e.valid)
    .map((e) => ({
      date: e.date,
      task: e.task,
      taskId: e.taskId ?? null,
      fixCycles: e.metrics.fixCycles?.count ?? null,
      firstPass: e.metrics.firstPassSuccess ?? null,
      planApproved: e.metrics.planApprovedFirstTry ?? null,
      planRevisions: e.metrics.planRevisions ?? null,
      sentinelFirstTry: e.metrics.sentinelPassedFirstTry ?? null,
      breakerBugs: e.metrics.breakerBugs?.count ?? null,
      layerViolations: e.metrics.layerViolations?.count ?? null,
      costUsd: e.metrics.cost?.usd ?? null,
    }));
  const costPerTask = perTask.map((t) => t.costUsd).filter((n): n is number => n !== null);
  const fixCycles = perTask.map((t) => t.fixCycles).filter((n): n is number => n !== null);
  const firstPass = rate(perTask.map((t) => t.firstPass));
  const approval = rate(perTask.map((t) => t.planApproved));
  const sentinel = rate(perTask.map((t) => t.sentinelFirstTry));
  return {
    tasks: perTask.length,
    fixCycles,
    firstPassRate: firstPass.rate,
    approvalRate: approval.rate,
    sentinelFirstPassRate: sentinel.rate,
    rated: { firstPass: firstPass.of, approval: approval.of, sentinel: sentinel.of },
    costPerTask,
    meanCostUsd: costPerTask.length ? Math.round((costPerTask.reduce((a, b) => a + b, 0) / costPerTask.length) * 1e4) / 1e4 : null,
    fixCyclesTrend: direction(fixCycles),
    perTask,
  };
}

function rate(values: (boolean | null)[]): { rate: number; of: number } {
  const known = values.filter((v): v is boolean => v !== null);
  return { rate: known.length === 0 ? 0 : known.filter(Boolean).length / known.length, of: known.length };
}

function direction(series: number[]): Trends['fixCyclesTrend'] {
  if (series.length < 2) return 'too few tasks';
  const half = Math.floor(series.length / 2);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const earlier = mean(series.slice(0, half));
  const later = mean(series.slice(series.length - half));
  // Half a cycle per task either way is noise at these sizes.
  if (later < earlier - 0.5) return 'improving';
  if (later > earlier + 0.5) return 'degrading';
  return 'stable';
}
