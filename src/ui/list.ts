/**
 * A scrolling list's behaviour as a pure reducer: which row is selected and which
 * window of rows is drawn. Only `height` rows are ever rendered (a virtualized list), so
 * a list of 1,000 runs costs what a list of 20 does.
 */
export interface ListState {
  cursor: number;
  /** Index of the first drawn row. */
  offset: number;
  length: number;
  height: number;
}

export type ListAction =
  | { type: 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end' }
  /** The list's new size; with `follow`, a cursor on the last row stays on the last row as rows arrive. */
  | { type: 'resize'; length?: number; height?: number; follow?: boolean }
  | { type: 'select'; index: number };

/** A list of `length` rows drawn `height` at a time, the cursor on `cursor`. */
export function initialList(length = 0, height = 10, cursor = 0): ListState {
  return fit({ cursor, offset: 0, length, height: Math.max(1, height) });
}

/** The next list state after a key or a change of size; the same object when nothing changed. */
export function listReducer(s: ListState, a: ListAction): ListState {
  switch (a.type) {
    case 'up':
      return fit({ ...s, cursor: s.cursor - 1 });
    case 'down':
      return fit({ ...s, cursor: s.cursor + 1 });
    case 'pageUp':
      return fit({ ...s, cursor: s.cursor - s.height, offset: s.offset - s.height });
    case 'pageDown':
      return fit({ ...s, cursor: s.cursor + s.height, offset: s.offset + s.height });
    case 'home':
      return fit({ ...s, cursor: 0 });
    case 'end':
      return fit({ ...s, cursor: s.length - 1 });
    case 'select':
      return fit({ ...s, cursor: a.index });
    case 'resize': {
      const length = a.length ?? s.length;
      const atEnd = a.follow && length > s.length && s.cursor >= s.length - 1;
      const next = fit({ ...s, length, height: Math.max(1, a.height ?? s.height), cursor: atEnd ? length - 1 : s.cursor });
      return next.cursor === s.cursor && next.offset === s.offset && next.length === s.length && next.height === s.height ? s : next;
    }
  }
}

/** Clamps the cursor into the list and moves the window just enough to show it. */
function fit(s: ListState): ListState {
  const cursor = s.length === 0 ? 0 : Math.min(Math.max(0, s.cursor), s.length - 1);
  const maxOffset = Math.max(0, s.length - s.height);
  let offset = Math.min(Math.max(0, s.offset), maxOffset);
  if (cursor < offset) offset = cursor;
  if (cursor >= offset + s.height) offset = cursor - s.height + 1;
  return { ...s, cursor, offset };
}

/** The rows to draw, with their indexes. */
export function visible<T>(items: readonly T[], s: ListState): { item: T; index: number }[] {
  return items.slice(s.offset, s.offset + s.height).map((item, i) => ({ item, index: s.offset + i }));
}

/** The move a key asks of a list (arrows, j/k, PgUp/PgDn, Home/End), if any. */
export function moveForKey(input: string, key: { upArrow?: boolean; downArrow?: boolean; pageUp?: boolean; pageDown?: boolean; home?: boolean; end?: boolean }): ListAction | undefined {
  if (key.upArrow || input === 'k') return { type: 'up' };
  if (key.downArrow || input === 'j') return { type: 'down' };
  if (key.pageUp) return { type: 'pageUp' };
  if (key.pageDown) return { type: 'pageDown' };
  if (key.home) return { type: 'home' };
  if (key.end) return { type: 'end' };
  return undefined;
}
