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

  // Fixed columns for the short fields; the words share what is left.
  const rest = Math.max(30, width - 2 - 14 - 25 - 8 - 4);
  const w = { run: 14, task: Math.floor(rest * 0.3), state: 25, waits: Math.floor(rest * 0.35), since: 8, fix: 4 };
  const last = rest - w.task - w.waits;
  const people = runs.filter((r) => r.waitsOn === 'person' || r.waitsOn === 'conductor').length;
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate-end">
        <Text bold>{count(runs.length, 'run')}</Text>
        <Text dimColor>{` · ${people} waiting on a person or the conductor · ${runs.filter((r) => r.finished).length} finished`}</Text>
      </Text>
      <Text dimColor wrap="truncate-end">{`  ${fit('RUN', w.run)}${fit('TASK', w.task)}${fit('STATE', w.state)}${fit('WAITS ON', w.waits)}${fit('SINCE', w.since)}${fit('FIX', w.fix)}LAST MESSAGE`}</Text>
      {runs.length === 0 ? <Text dimColor>No runs yet: a HANDOFF from the analyst starts one (press c to compose one).</Text> : null}
      {visible(runs, list).map(({ item: r, index }) => (
        <Text key={r.runId} wrap="truncate-end" inverse={index === list.cursor}>
          {index === list.cursor ? '› ' : '  '}
          {fit(r.runId, w.run)}
          {fit(r.task, w.task)}
          <Text color={r.finished ? 'gray' : undefined}>{fit(r.state, w.state)}</Text>
          <Text color={WAIT_COLOR[r.waitsOn]}>{fit(`${r.notices ? `!${r.notices} ` : ''}${r.waitingFor || r.waitsOn}`, w.waits)}</Text>
          {fit(duration(now - r.since), w.since)}
          {fit(String(r.fixCycles), w.fix)}
          {fit(r.last ? `${r.last.dir === 'in' ? '←' : '→'} ${r.last.type} ${r.last.peer}: ${r.last.firstLine}` : '', last)}
        </Text>
      ))}
    </Box>
  );
}
