import type { MachineEntry } from './entry.js';
import { backendEngineer } from './backend-engineer/entry.js';

export type { MachineEntry } from './entry.js';

/**
 * The teammates' machines the engine knows, by id. Adding a teammate is a new file in
 * machines/ plus a line here; the engine does not change. An engine can also be given
 * its own registry (`EngineOptions.machines`), as tests do.
 */
export const machines: Readonly<Record<string, MachineEntry>> = {
  [backendEngineer.id]: backendEngineer,
};
