import type { MachineEntry } from '../../machines/entry.js';
import type { Config, StepName } from '../workspace/config-schema.js';

/** The agent log's reading and writing: actors the engine supplies beside the configured steps. */
export const LOG_ACTORS = ['readLog', 'writeLog'] as const;

/**
 * Whether an actor of the machine completes at once, so the engine runs it inside the
 * macro-step that started it: the agent log's reading and writing, and the machine's
 * steps configured as instant or built-in work. Known without loading any step's code.
 */
export function completesAtOnce(entry: MachineEntry, config: Pick<Config, 'steps'>, src: string | undefined): boolean {
  if (src === undefined) return false;
  if ((LOG_ACTORS as readonly string[]).includes(src)) return true;
  if (!entry.steps.includes(src)) return false;
  const kind = config.steps[src as StepName]?.kind;
  return kind === 'instant' || kind === 'builtin';
}
