import { Box } from 'ink';
import { Text } from './Text.js';
import { useReducer } from 'react';
import { initialList, listReducer, visible } from '../list.js';
import { useKeys } from '../hooks.js';

/** A scrollable text: a whole message, the plan, a log entry, the help. */
export function TextView({ title, text, height, onClose }: { title: string; text: string; height: number; onClose: () => void }) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const rows = Math.max(1, height - 3);
  // Scrolling moves the window, not a cursor: keep the cursor on the window's last row.
  const [list, dispatch] = useReducer(listReducer, initialList(lines.length, rows, Math.min(rows, lines.length) - 1));
  useKeys((input, key) => {
    if (key.escape || input === 'q') onClose();
    else if (key.upArrow || input === 'k') dispatch({ type: 'select', index: Math.max(list.offset - 1, 0) });
    else if (key.downArrow || input === 'j') dispatch({ type: 'select', index: list.offset + rows });
    else if (key.pageUp) dispatch({ type: 'select', index: Math.max(0, list.offset - rows) });
    else if (key.pageDown || input === ' ') dispatch({ type: 'select', index: list.offset + 2 * rows - 1 });
  }, 'overlay');
  const shown = visible(lines, list);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1} height={height}>
      <Text bold wrap="truncate-end">
        {title} <Text dimColor>({list.offset + 1}–{list.offset + shown.length} of {lines.length} lines)</Text>
      </Text>
      {shown.map(({ item, index }) => (
        <Text key={index} wrap="truncate-end">
          {item || ' '}
        </Text>
      ))}
    </Box>
  );
}
