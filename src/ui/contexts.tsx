import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { UiActions } from './actions.js';
import type { UiSnapshot, UiStore } from './store.js';

export const StoreContext = createContext<UiStore | null>(null);
export const ActionsContext = createContext<UiActions | null>(null);

/** The store (for reads the snapshot does not carry: a run's full state, the paths). */
export function useStore(): UiStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useStore outside <StoreContext.Provider>');
  return store;
}

/** The current snapshot; re-renders at most as often as the store publishes. */
export function useSnapshot(): UiSnapshot {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

/** The engine actions (each reports its result as a note; none throws). */
export function useActions(): UiActions {
  const actions = useContext(ActionsContext);
  if (!actions) throw new Error('useActions outside <ActionsContext.Provider>');
  return actions;
}

/**
 * Loads something async whenever `key` changes; one load at a time, the last key wins,
 * and loads start at most every `minIntervalMs` (a journal growing by a message a
 * millisecond is re-read a few times a second, not continuously). A failed load shows
 * as `error` (never thrown into the render).
 */
export function useLoad<T>(load: () => Promise<T>, key: string, minIntervalMs = 0): { value?: T; error?: string } {
  const [result, setResult] = useState<{ value?: T; error?: string }>({});
  const busy = useRef(false);
  const mounted = useRef(true);
  const wanted = useRef(key);
  const latest = useRef(load);
  latest.current = load;
  wanted.current = key;
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  useEffect(() => {
    if (busy.current) return; // the load in flight sees the new key when it ends
    busy.current = true;
    void (async () => {
      let loaded = '';
      let started = 0;
      do {
        const wait = started + minIntervalMs - Date.now();
        if (started && wait > 0) await new Promise((r) => setTimeout(r, wait));
        started = Date.now();
        loaded = wanted.current;
        try {
          const value = await latest.current();
          if (mounted.current) setResult({ value });
        } catch (e) {
          if (mounted.current) setResult((r) => ({ ...r, error: (e as Error).message }));
        }
      } while (mounted.current && loaded !== wanted.current);
      busy.current = false;
    })();
  }, [key]);
  return result;
}

/** The clock, ticking every `everyMs` (the stepper's elapsed time). */
export function useNow(now: () => number, everyMs = 1000): number {
  const [t, setT] = useState(now);
  useEffect(() => {
    const id = setInterval(() => setT(now()), everyMs);
    return () => clearInterval(id);
  }, [now, everyMs]);
  return t;
}
