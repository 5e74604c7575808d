import type { AnyStateMachine } from 'xstate';
import { MACHINE_ID, MACHINE_VERSION, backendEngineerMachine } from './backend-engineer.js';
import { explainOutOfPlace } from './backend-engineer/rules.js';

/**
 * A teammate's machine as the engine sees it. Adding a teammate is a new file in
 * machines/ plus an entry here; the engine does not change.
 */
export interface MachineEntry {
  id: string;
  version: number;
  machine: AnyStateMachine;
  /** Why an event changed nothing in this state (shown to the user). */
  explain: (state: string, status: string, event: { type: string; from?: string }) => string;
  /**
   * Upgrades a persisted snapshot from an older version, one version at a time:
   * migrations[n] turns a version-n snapshot into version n+1.
   */
  migrations: Record<number, (snapshot: unknown) => unknown>;
}

export const machines: Record<string, MachineEntry> = {
  [MACHINE_ID]: {
    id: MACHINE_ID,
    version: MACHINE_VERSION,
    machine: backendEngineerMachine,
    explain: explainOutOfPlace,
    migrations: {},
  },
};
