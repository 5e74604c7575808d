import { useRef, useState } from 'react';
import type { ListAction, ListState } from './list.js';
import { initialList, listReducer } from './list.js';

/** Options of `useList`. */
export interface UseListOptions {
  /** Keep the cursor on the newest row while it sits on the last one (a timeline). */
  follow?: boolean;
  /** The row to keep selected as the list re-sorts (the selected run's index now), when known. */
  pin?: number;
  /** Called with the new state after each move (to remember what is selected). */
  onMove?: (s: ListState) => void;
}

/**
 * A list's state for a view: `listReducer` over the list's current size. The size is
 * applied while rendering (never one frame late), and each move starts from the last
 * state drawn or moved to, so keys pressed faster than the screen redraws are not lost.
 */
export function useList(length: number, height: number, opts: UseListOptions = {}): [ListState, (a: ListAction) => void, () => ListState] {
  const [raw, setRaw] = useState(() => initialList(length, height, opts.pin ?? (opts.follow ? length - 1 : 0)));
  let drawn = listReducer(raw, { type: 'resize', length, height, follow: opts.follow ?? false });
  if (opts.pin !== undefined && opts.pin >= 0 && opts.pin !== drawn.cursor) drawn = listReducer(drawn, { type: 'select', index: opts.pin });
  const current = useRef(drawn);
  current.current = drawn;
  const onMove = useRef(opts.onMove);
  onMove.current = opts.onMove;
  const move = (a: ListAction) => {
    const next = listReducer(current.current, a);
    current.current = next;
    onMove.current?.(next);
    setRaw(next);
  };
  // The state after the last move, for a key that comes before the redraw (Home then Enter).
  return [drawn, move, () => current.current];
}
