import { Box } from 'ink';
import { Text } from '../components/Text.js';
import { useActions, useLoad, useSnapshot, useStore } from '../contexts.js';
import { clock, fit } from '../format.js';
import { visible, moveForKey } from '../list.js';
import { loadInbox, readText } from '../loaders.js';
import type { Nav, NavAction } from '../nav.js';
import { useList } from '../use-list.js';
import { useKeys } from '../hooks.js';

interface Row {
  section: 'new' | 'rejected' | 'processed';
  name: string;
  path: string;
  at: number;
  note: string;
}

const COLOR = { new: 'cyan', rejected: 'red', processed: 'gray' } as const;

/** The engine's inbox: new, rejected (each with its reason) and processed messages. */
export function InboxView({ dispatch, height, width = 80, now }: { nav?: Nav; dispatch: (a: NavAction) => void; height: number; width?: number; now: number }) {
  const snap = useSnapshot();
  const store = useStore();
  const actions = useActions();
  const member = store.engine.config.engine.member;
  const { value: report, error } = useLoad(() => loadInbox(store.engine.paths, member), `${snap.version}:${Math.floor(now / 1000)}`, 500);
  const rows: Row[] = report
    ? [
        ...report.new.map((i) => ({ section: 'new' as const, name: i.name, path: i.path, at: i.mtimeMs, note: i.settled ? `waiting in ${i.where}/` : 'still being written' })),
        // Newest rejection first: the one just made is what the person came to see.
        ...report.rejected.map((i) => ({ section: 'rejected' as const, name: i.name, path: i.path, at: i.mtimeMs, note: i.reason })),
        ...[...report.processed].reverse().map((i) => ({ section: 'processed' as const, name: i.name, path: i.path, at: i.mtimeMs, note: `${i.size} bytes` })),
      ]
    : [];
  // The last line shows the selected row's reason or state whole: a column cuts it at 80 columns.
  const listRows = Math.max(1, height - 5);
  const nameWidth = Math.max(16, Math.min(48, Math.floor((width - 24) * 0.45)));
  const [list, move, listNow] = useList(rows.length, listRows);

  useKeys((input, key) => {
    const step = moveForKey(input, key);
    if (step) move(step);
    else if (key.return && rows[listNow().cursor]) {
      const r = rows[listNow().cursor]!;
      void readText(r.path).then(
        (text) => dispatch({ type: 'open', overlay: { kind: 'text', title: `${r.section}: ${r.name}`, text: r.section === 'rejected' ? `REJECTED: ${r.note}\n\n${text}` : text } }),
        (e: Error) => store.note('error', `cannot open ${r.name}: ${e.message}`),
      );
    } else if (input === 'u') {
      const r = rows[listNow().cursor];
      if (r?.section !== 'rejected') store.note('error', 'u requeues a rejected message (after you fixed it): select one first');
      else void actions.requeue(r.name);
    }
  }, 'view');
  const selected = rows[list.cursor];

  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate-end">
        <Text bold>Inbox of {member}</Text>
        <Text>
          {'  '}
          <Text color="cyan">{report?.new.length ?? 0} new</Text> · <Text color="red">{report?.rejected.length ?? 0} rejected</Text> · <Text dimColor>{report?.processed.length ?? 0} processed</Text>
        </Text>
        {error ? <Text color="red"> {error}</Text> : null}
      </Text>
      <Text dimColor wrap="truncate-end">{`  ${fit('', 10)}${fit('TIME', 10)}${fit('FILE', nameWidth)}REASON / STATE`}</Text>
      {rows.length === 0 ? <Text dimColor>The inbox is empty.</Text> : null}
      {visible(rows, list).map(({ item: r, index }) => (
        <Text key={`${r.section}/${r.name}`} wrap="truncate-end" inverse={index === list.cursor}>
          {index === list.cursor ? '› ' : '  '}
          <Text color={COLOR[r.section]}>{fit(r.section, 10)}</Text>
          {fit(clock(r.at), 10)}
          {fit(r.name, nameWidth)}
          <Text color={r.section === 'rejected' ? 'red' : undefined} dimColor={r.section !== 'rejected'}>
            {r.note}
          </Text>
        </Text>
      ))}
      <Box flexGrow={1} />
      {selected ? (
        <Box height={2}>
        <Text wrap="wrap" color={selected.section === 'rejected' ? 'red' : undefined} dimColor={selected.section !== 'rejected'}>
          {`${selected.name}: ${selected.note}${selected.section === 'rejected' ? ' — fix the file, then u requeues it' : ''}`}
        </Text>
        </Box>
      ) : null}
    </Box>
  );
}
