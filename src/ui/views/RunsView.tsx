import { Box } from 'ink';
import { Text } from '../components/Text.js';
import { useRef } from 'react';
import type { RunSummary } from '../../engine/view.js';
import { useActions, useSnapshot, useStore } from '../contexts.js';
import { count, duration, fit } from '../format.js';
import { visible, moveForKey } from '../list.js';
import type { Nav, NavAction } from '../nav.js';
import { runKey } from '../run-keys.js';
import { useList } from '../use-list.js';
import { useKeys } from '../hooks.js';

const WAIT_COLOR: Record<string, string> = { person: 'red', conductor: 'yellow', verification: 'blue', step: 'cyan', analyst: 'gray', nothing: 'gray' };

/** Column widths of the runs table for a terminal `width` wide (the cursor takes 2). */
export function columns(width: number): { run: number; task: number; state: number; waits: number; since: number; fix: number; last: number } {
  const avail = Math.max(40, width - 2);
  // Below 100 columns LAST MESSAGE gives way, below 72 FIX too: the task and what it waits on matter more.
  const wide = width >= 100;
  const narrow = width < 72;
  const since = 8;
  const fix = narrow ? 0 : 4;
  const run = Math.min(14, Math.max(8, Math.floor(avail * 0.17)));
  const state = Math.min(25, Math.max(10, Math.floor(avail * 0.2)));
  const rest = avail - run - state - since - fix;
  const task = Math.floor(rest * (wide ? 0.28 : 0.48));
  const waits = wide ? Math.floor(rest * 0.4) : rest - task;
  return { run, task, state, waits, since, fix, last: wide ? rest - task - waits : 0 };
}

/** Every run, what needs a person first; only the rows on screen are drawn. */
export function RunsView({ nav, dispatch, height, width, now }: { nav: Nav; dispatch: (a: NavAction) => void; height: number; width: number; now: number }) {
  const snap = useSnapshot();
  const store = useStore();
  const actions = useActions();
  const runs = snap.runs;
  const rows = Math.max(1, height - 2);
  // Runs re-sort as they change: the selection follows its run, not its row.
  const selectedId = useRef<string | undefined>(nav.runId);
  const pin = selectedId.current ? runs.findIndex((r) => r.runId === selectedId.current) : -1;
  const [list, move, listNow] = useList(runs.length, rows, { pin, onMove: (s) => (selectedId.current = runs[s.cursor]?.runId) });
  selectedId.current = runs[list.cursor]?.runId;

  useKeys((input, key) => {
    const selected: RunSummary | undefined = runs[listNow().cursor];
    const step = moveForKey(input, key);
    if (step) move(step);
    else if (key.return && selected) dispatch({ type: 'openRun', runId: selected.runId });
    else runKey(input, selected?.runId, { state: selected ? store.state(selected.runId) : undefined, pending: snap.pending, actions, dispatch, note: (t) => store.note('error', t) });
  }, 'view');

  // Every column shrinks with the terminal (the state no more than the task).
  const w = columns(width);
  const last = w.last;
  const people = runs.filter((r) => r.waitsOn === 'person' || r.waitsOn === 'conductor').length;
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate-end">
        <Text bold>{count(runs.length, 'run')}</Text>
        <Text dimColor>{` · ${people} waiting on a person or the conductor · ${runs.filter((r) => r.finished).length} finished`}</Text>
      </Text>
      <Text dimColor wrap="truncate-end">{`  ${fit('RUN', w.run)}${fit('TASK', w.task)}${fit('STATE', w.state)}${fit('WAITS ON', w.waits)}${fit('SINCE', w.since)}${w.fix ? fit('FIX', w.fix) : ''}${last ? 'LAST MESSAGE' : ''}`}</Text>
      {runs.length === 0 ? <Text dimColor>No runs yet: a HANDOFF from the analyst starts one (press c to compose one).</Text> : null}
      {visible(runs, list).map(({ item: r, index }) => (
        <Text key={r.runId} wrap="truncate-end" inverse={index === list.cursor}>
          {index === list.cursor ? '› ' : '  '}
          {fit(r.runId, w.run)}
          {fit(r.task, w.task)}
          <Text color={r.finished ? 'gray' : undefined}>{fit(r.state, w.state)}</Text>
          {/* A finished run whose work git did not commit says so in red: nothing else about it needs a person. */}
          <Text color={r.gitCommit?.status === 'failed' ? 'red' : WAIT_COLOR[r.waitsOn]}>{fit(`${r.notices ? `!${r.notices} ` : ''}${r.waitingFor || r.waitsOn}`, w.waits)}</Text>
          {fit(duration(now - r.since), w.since)}
          {w.fix ? fit(String(r.fixCycles), w.fix) : ''}
          {last ? fit(r.last ? `${r.last.dir === 'in' ? '←' : '→'} ${r.last.type} ${r.last.peer}: ${r.last.firstLine}` : '', last) : ''}
        </Text>
      ))}
    </Box>
  );
}
