import type { Key } from 'ink';
import { useInput } from 'ink';
import { useCallback, useRef } from 'react';
import type { KeyHandler, KeyRegistry } from './hooks.js';
import type { Nav, NavAction } from './nav.js';

/** What a key means anywhere (no overlay open): a navigation, quitting, or nothing (the view's to take). */
export function globalKey(input: string, key: Key, nav: Nav): NavAction | 'quit' | undefined {
  if (input === 'q') return 'quit';
  if (input === '?') return { type: 'open', overlay: { kind: 'help' } };
  if (input === '1') return { type: 'show', view: 'runs' };
  if (input === '2') return { type: 'show', view: 'inbox' };
  if (input === '3') return { type: 'show', view: 'log' };
  if (input === 'c') return { type: 'open', overlay: { kind: 'compose', ...(nav.view === 'run' && nav.runId ? { task: nav.runId } : {}) } };
  if (key.escape) return { type: 'back' };
  return undefined;
}

/**
 * The UI's one input listener, subscribed once: each key goes to the open overlay, else
 * is a global key, else goes to the view. Returns the registry views and overlays put
 * their handlers in (hooks.ts `useKeys`).
 */
export function useKeyRouter(nav: Nav, dispatch: (a: NavAction) => void, quit: () => void): KeyRegistry {
  const registry = useRef<KeyRegistry>({}).current;
  const route = useRef<KeyHandler>(() => undefined);
  route.current = (input, key) => {
    if (nav.overlay) return registry.overlay?.(input, key);
    const action = globalKey(input, key, nav);
    if (action === 'quit') quit();
    else if (action) dispatch(action);
    else registry.view?.(input, key);
  };
  useInput(useCallback<KeyHandler>((input, key) => route.current(input, key), []));
  return registry;
}
