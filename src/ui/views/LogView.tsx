import { Box } from 'ink';
import { Text } from '../components/Text.js';
import { useLoad, useSnapshot, useStore } from '../contexts.js';
import { count, fit, marks, sparkline } from '../format.js';
import { visible, moveForKey } from '../list.js';
import { loadLog } from '../loaders.js';
import type { Nav, NavAction } from '../nav.js';
import { useList } from '../use-list.js';
import { useKeys } from '../hooks.js';

const pct = (rate: number, of: number) => (of === 0 ? 'n/a' : `${Math.round(rate * 100)}% of ${of}`);

/** The agent log: its entries, the adaptations in force and why, and trends over tasks. */
export function LogView({ dispatch, height, width = 160 }: { nav?: Nav; dispatch: (a: NavAction) => void; height: number; width?: number }) {
  const snap = useSnapshot();
  const store = useStore();
  const finished = snap.runs.filter((r) => r.finished).length;
  const { value: log, error } = useLoad(() => loadLog(store.engine.paths, store.engine.config), String(finished));
  const entries = log?.entries ?? [];
  const adaptations = log?.adaptations ?? [];
  const t = log?.trends;
  const listRows = Math.max(1, height - 9 - 2 * Math.min(adaptations.length, 3));
  const [list, move, listNow] = useList(entries.length, listRows);

  useKeys((input, key) => {
    const step = moveForKey(input, key);
    if (step) move(step);
    else if (key.return && entries[listNow().cursor]) {
      const e = entries[listNow().cursor]!;
      dispatch({ type: 'open', overlay: { kind: 'text', title: `${e.date} ${e.task}`, text: e.raw } });
    }
  }, 'view');

  if (error) return <Text color="red">Cannot read the agent log: {error}</Text>;
  if (!log) return <Text dimColor>Reading the agent log…</Text>;
  const per = t?.perTask ?? [];
  // The task column takes what the others leave (2 + 12 + 5 + 10 + "PLAN 1ST TRY"), at most 44.
  const taskWidth = Math.max(8, Math.min(44, width - 41));
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate-end">
        <Text bold>Agent log</Text> <Text dimColor>{log.exists ? `${log.file} · ${count(entries.length, 'entry', 'entries')}` : `none yet at ${log.file}; the first finished task writes it`}</Text>
      </Text>
      {log.problems.slice(0, 1).map((p) => (
        <Text key={p} color="yellow" wrap="truncate-end">{`! ${p}`}</Text>
      ))}
      <Text bold>Adaptations in force {adaptations.length === 0 ? <Text dimColor>(none: the log gives no reason to change approach)</Text> : null}</Text>
      {adaptations.slice(0, 3).map((a) => (
        <Box key={a.rule} flexDirection="column">
          <Text color="magenta" wrap="truncate-end">{`  • ${a.instruction}`}</Text>
          <Text dimColor wrap="truncate-end">{`    because ${a.reason}`}</Text>
        </Box>
      ))}
      <Text bold>Trends over {count(t?.tasks ?? 0, 'task')}</Text>
      <Text wrap="truncate-end">
        {'  fix cycles        '}
        <Text color="cyan">{sparkline(t?.fixCycles ?? []) || '—'}</Text> <Text dimColor>{`${(t?.fixCycles ?? []).join(' ')} (${t?.fixCyclesTrend ?? ''})`}</Text>
      </Text>
      <Text wrap="truncate-end">
        {'  first-pass        '}
        <Text color="green">{marks(per.map((p) => p.firstPass)) || '—'}</Text> <Text dimColor>{pct(t?.firstPassRate ?? 0, t?.rated.firstPass ?? 0)}</Text>
      </Text>
      <Text wrap="truncate-end">
        {'  plan 1st try      '}
        <Text color="green">{marks(per.map((p) => p.planApproved)) || '—'}</Text> <Text dimColor>{pct(t?.approvalRate ?? 0, t?.rated.approval ?? 0)}</Text>
      </Text>
      <Text dimColor wrap="truncate-end">{`  ${fit('DATE', 12)}${fit('TASK', taskWidth)}${fit('FIX', 5)}${fit('1ST PASS', 10)}PLAN 1ST TRY`}</Text>
      {visible(entries, list).map(({ item: e, index }) => (
        <Text key={`${e.line}`} wrap="truncate-end" inverse={index === list.cursor}>
          {index === list.cursor ? '› ' : '  '}
          {fit(e.date || '?', 12)}
          {fit(`${e.task}${e.taskId ? ` (${e.taskId})` : ''}`, taskWidth)}
          {fit(String(e.metrics.fixCycles?.count ?? '?'), 5)}
          {fit(marks([e.metrics.firstPassSuccess ?? null]), 10)}
          {marks([e.metrics.planApprovedFirstTry ?? null])}
          {e.valid ? '' : <Text color="yellow"> (unreadable heading)</Text>}
        </Text>
      ))}
    </Box>
  );
}
