/** The four views; `run` shows one run. */
export type View = 'runs' | 'run' | 'inbox' | 'log';

/** What a one-line prompt is for: the answer goes to the engine action it names. */
export type PromptPurpose =
  | { action: 'reject'; runId: string }
  | { action: 'cancel'; runId: string }
  | { action: 'complete'; runId: string; step: string }
  | { action: 'fail'; runId: string; step: string };

/** A layer over the view that takes the keys while it is open. */
export type Overlay =
  | { kind: 'help' }
  | { kind: 'text'; title: string; text: string }
  | { kind: 'prompt'; purpose: PromptPurpose; label: string }
  | { kind: 'compose'; to?: string; task?: string };

export interface Nav {
  view: View;
  /** The run shown in the run view; kept on the way back so the runs list stays on it. */
  runId?: string;
  overlay?: Overlay;
}

export type NavAction =
  | { type: 'show'; view: Exclude<View, 'run'> }
  | { type: 'openRun'; runId: string }
  | { type: 'back' }
  | { type: 'open'; overlay: Overlay }
  | { type: 'close' };

export const initialNav: Nav = { view: 'runs' };

/** Navigation as a pure reducer: `back` closes an overlay first, then leaves a run for the list. */
export function navReducer(s: Nav, a: NavAction): Nav {
  switch (a.type) {
    case 'show':
      return { view: a.view, ...(s.runId ? { runId: s.runId } : {}) };
    case 'openRun':
      return { view: 'run', runId: a.runId };
    case 'back':
      if (s.overlay) return { view: s.view, ...(s.runId ? { runId: s.runId } : {}) };
      return s.view === 'runs' ? s : { view: 'runs', ...(s.runId ? { runId: s.runId } : {}) };
    case 'open':
      return { ...s, overlay: a.overlay };
    case 'close':
      return { view: s.view, ...(s.runId ? { runId: s.runId } : {}) };
  }
}
