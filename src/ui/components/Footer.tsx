import { Box } from 'ink';
import { Text } from './Text.js';
import type { KeyHelp } from '../keys.js';

/** The keys that work now, always on screen, cut to the width. */
export function Footer({ keys, width }: { keys: KeyHelp[]; width: number }) {
  const parts: KeyHelp[] = [];
  let used = 0;
  for (const k of keys) {
    const len = k.key.length + k.does.length + 3;
    if (used + len > width) break;
    parts.push(k);
    used += len;
  }
  return (
    <Box>
      <Text wrap="truncate-end">
        {parts.map((k, i) => (
          <Text key={k.key}>
            {i > 0 ? '  ' : ''}
            <Text bold color="cyan">
              {k.key}
            </Text>{' '}
            <Text dimColor>{k.does}</Text>
          </Text>
        ))}
      </Text>
    </Box>
  );
}
