import { describe, expect, it } from 'vitest';
import type { ListAction, ListState } from '../../src/ui/list.js';
import { initialList, listReducer, visible } from '../../src/ui/list.js';
import type { Nav, NavAction } from '../../src/ui/nav.js';
import { navReducer } from '../../src/ui/nav.js';
import { globalKey } from '../../src/ui/key-router.js';
import type { Key } from 'ink';
import { duration, fit, marks, sparkline } from '../../src/ui/format.js';

const L = (cursor: number, offset: number, length = 10, height = 3): ListState => ({ cursor, offset, length, height });

describe('the list reducer', () => {
  it.each<[string, ListState, ListAction, ListState]>([
    ['moves down within the window', L(0, 0), { type: 'down' }, L(1, 0)],
    ['scrolls when the cursor leaves the window at the bottom', L(2, 0), { type: 'down' }, L(3, 1)],
    ['stops at the last row', L(9, 7), { type: 'down' }, L(9, 7)],
    ['stops at the first row', L(0, 0), { type: 'up' }, L(0, 0)],
    ['scrolls when the cursor leaves the window at the top', L(3, 3), { type: 'up' }, L(2, 2)],
    ['pages down by the window height', L(1, 0), { type: 'pageDown' }, L(4, 3)],
    ['pages up to the top', L(4, 3), { type: 'pageUp' }, L(1, 0)],
    ['jumps to the end', L(0, 0), { type: 'end' }, L(9, 7)],
    ['jumps home', L(9, 7), { type: 'home' }, L(0, 0)],
    ['selects a row and shows it', L(0, 0), { type: 'select', index: 6 }, L(6, 4)],
    ['clamps a selection past the end', L(0, 0), { type: 'select', index: 99 }, L(9, 7)],
    ['keeps the cursor inside a list that shrank', L(9, 7), { type: 'resize', length: 4 }, L(3, 1, 4)],
    ['keeps an empty list at 0', L(5, 3), { type: 'resize', length: 0 }, L(0, 0, 0)],
    ['follows new rows while on the last one', L(9, 7), { type: 'resize', length: 12, follow: true }, L(11, 9, 12)],
    ['stays put on new rows when not on the last one', L(4, 3), { type: 'resize', length: 12, follow: true }, L(4, 3, 12)],
    ['does not follow without being asked', L(9, 7), { type: 'resize', length: 12 }, L(9, 7, 12)],
    ['shows more rows in a taller window', L(9, 7), { type: 'resize', height: 5 }, L(9, 5, 10, 5)],
  ])('%s', (_name, before, action, after) => {
    expect(listReducer(before, action)).toEqual(after);
  });

  it('returns the same state when a resize changes nothing (no re-render)', () => {
    const s = L(4, 3);
    expect(listReducer(s, { type: 'resize', length: 10, height: 3 })).toBe(s);
  });

  it('draws only the window of a long list', () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const s = listReducer(initialList(1000, 20), { type: 'select', index: 500 });
    const rows = visible(items, s);
    expect(rows).toHaveLength(20);
    expect(rows.at(-1)).toEqual({ item: 500, index: 500 });
  });
});

describe('the navigation reducer', () => {
  const help = { kind: 'help' } as const;
  it.each<[string, Nav, NavAction, Nav]>([
    ['opens a run', { view: 'runs' }, { type: 'openRun', runId: 'r1' }, { view: 'run', runId: 'r1' }],
    ['goes back from a run to the runs, remembering it', { view: 'run', runId: 'r1' }, { type: 'back' }, { view: 'runs', runId: 'r1' }],
    ['closes an overlay before leaving the view', { view: 'run', runId: 'r1', overlay: help }, { type: 'back' }, { view: 'run', runId: 'r1' }],
    ['stays on the runs when there is nothing to go back from', { view: 'runs' }, { type: 'back' }, { view: 'runs' }],
    ['switches to the inbox', { view: 'run', runId: 'r1' }, { type: 'show', view: 'inbox' }, { view: 'inbox', runId: 'r1' }],
    ['opens an overlay over the view', { view: 'log' }, { type: 'open', overlay: help }, { view: 'log', overlay: help }],
    ['closes the overlay', { view: 'log', overlay: help }, { type: 'close' }, { view: 'log' }],
  ])('%s', (_name, before, action, after) => {
    expect(navReducer(before, action)).toEqual(after);
  });
});

describe('keys that work anywhere', () => {
  const none = { escape: false } as Key;
  it.each<[string, Key, Nav, ReturnType<typeof globalKey>]>([
    ['q', none, { view: 'runs' }, 'quit'],
    ['?', none, { view: 'runs' }, { type: 'open', overlay: { kind: 'help' } }],
    ['2', none, { view: 'run', runId: 'r' }, { type: 'show', view: 'inbox' }],
    ['c', none, { view: 'run', runId: 'r' }, { type: 'open', overlay: { kind: 'compose', task: 'r' } }],
    ['c', none, { view: 'runs', runId: 'r' }, { type: 'open', overlay: { kind: 'compose' } }],
    ['', { escape: true } as Key, { view: 'log' }, { type: 'back' }],
    ['a', none, { view: 'runs' }, undefined],
  ])('%j', (input, key, nav, want) => expect(globalKey(input, key, nav)).toEqual(want));
});

describe('formatting', () => {
  it.each([
    [0, '0s'],
    [59_999, '59s'],
    [65_000, '1m 05s'],
    [3_600_000 + 120_000, '1h 02m'],
    [50 * 3_600_000, '2d 2h'],
  ])('duration(%i) is %s', (ms, text) => expect(duration(ms)).toBe(text));

  it.each([
    ['abc', 5, 'abc  '],
    ['abcde', 5, 'abc… '],
    ['two\nlines', 20, 'two lines'.padEnd(20)],
    ['x', 1, ' '],
  ])('fit(%j, %i) is %j', (s, w, out) => expect(fit(s, w)).toBe(out));

  it('draws a sparkline scaled to the largest value, and flat for zeros', () => {
    expect(sparkline([0, 4, 8])).toBe('▁▅█');
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(sparkline([])).toBe('');
  });

  it('marks yes, no and unknown', () => expect(marks([true, false, null])).toBe('✓✗?'));
});
