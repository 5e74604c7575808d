import type { Nav } from './nav.js';

/** One key and what it does, for the footer and the help. */
export interface KeyHelp {
  key: string;
  does: string;
}

const GLOBAL: KeyHelp[] = [
  { key: '1 2 3', does: 'runs, inbox, log' },
  { key: 'c', does: 'compose a message' },
  { key: '?', does: 'help' },
  { key: 'q', does: 'quit' },
];

const RUN_ACTIONS: KeyHelp[] = [
  { key: 'a', does: 'approve plan' },
  { key: 'r', does: 'reject plan' },
  { key: 'd', does: 'step done' },
  { key: 'f', does: 'step failed' },
  { key: 't', does: 'retry step' },
  { key: 'x', does: 'cancel run' },
];

/** The keys that work where the person is now, most useful first. */
export function keysFor(nav: Nav): KeyHelp[] {
  const o = nav.overlay;
  if (o?.kind === 'prompt') return [{ key: 'Enter', does: 'confirm' }, { key: 'Esc', does: 'back out' }];
  if (o?.kind === 'compose') return [{ key: 'Tab', does: 'next field' }, { key: '←→', does: 'choose' }, { key: 'Ctrl+S', does: 'send' }, { key: 'Esc', does: 'discard' }];
  if (o) return [{ key: '↑↓ PgUp PgDn', does: 'scroll' }, { key: 'Esc', does: 'close' }];
  if (nav.view === 'runs') return [{ key: '↑↓', does: 'select' }, { key: 'Enter', does: 'open run' }, ...RUN_ACTIONS, ...GLOBAL];
  if (nav.view === 'run') return [{ key: '↑↓', does: 'timeline' }, { key: 'Enter', does: 'open message' }, { key: 'p', does: 'plan' }, ...RUN_ACTIONS, { key: 'Esc', does: 'runs' }, ...GLOBAL];
  if (nav.view === 'inbox') return [{ key: '↑↓', does: 'select' }, { key: 'Enter', does: 'open file' }, { key: 'u', does: 'requeue fixed' }, { key: 'Esc', does: 'runs' }, ...GLOBAL];
  return [{ key: '↑↓', does: 'select entry' }, { key: 'Enter', does: 'open entry' }, { key: 'Esc', does: 'runs' }, ...GLOBAL];
}

/** The help text: every key, by where it works. */
export const HELP = `teamstate — keys

Anywhere
  1 / 2 / 3     runs, inbox, agent log
  c             compose a message to any member (checked as you type)
  ?             this help          q / Ctrl+C   quit (the engine stops cleanly)
  Esc           close, or go back to the runs

Runs and a run
  ↑ ↓ j k       move        PgUp PgDn Home End   jump
  Enter         open the run / open the selected message in full
  a             approve the plan (when a person plays the conductor, or the run waits on a person)
  r             reject the plan with feedback
  d / f         mark the waiting manual step (or a stuck step) done / failed
                (for done, type the output, or @path to take it from a file)
  t             retry a stuck step
  x             cancel the run (asks for a reason)
  p             show the plan (in a run)

Inbox
  Enter         open the selected file (a rejected one with its reason)
  u             requeue the selected rejected message once you fixed the file
                (checked first, as the engine reads it; newest rejections are listed first)

Runs are sorted by what needs a person first: waiting on a person, then on the
conductor, on verification, on a step, on the analyst; finished runs last.
Errors from an action show above the footer; nothing you press can crash the UI.`;
