import { Box } from 'ink';
import { Text } from './Text.js';
import type { KeyHelp } from '../keys.js';

/** Keys kept on screen however narrow it is: without them a person cannot find the rest or leave. */
const ESSENTIAL = new Set(['?', 'q', 'Esc', 'Enter']);

const widthOf = (k: KeyHelp) => k.key.length + 1 + k.does.length;

/**
 * The keys that work now, always on screen, fitted to the width: the essential ones
 * (help, quit, back, confirm) first reserve their room, the others fill what is left in
 * their order up to the first that does not fit, and the whole is drawn in the given order.
 */
export function fitKeys(keys: KeyHelp[], width: number): KeyHelp[] {
  const gap = 2;
  const essential = keys.filter((k) => ESSENTIAL.has(k.key));
  let used = essential.reduce((n, k, i) => n + widthOf(k) + (i > 0 ? gap : 0), 0);
  const shown = new Set(essential);
  for (const k of keys) {
    if (shown.has(k)) continue;
    const len = widthOf(k) + gap;
    // The first that does not fit ends the list: the keys stay in their order of use.
    if (used + len > width) break;
    shown.add(k);
    used += len;
  }
  return keys.filter((k) => shown.has(k));
}

/** The keys that work now, always on screen, cut to the width. */
export function Footer({ keys, width }: { keys: KeyHelp[]; width: number }) {
  const parts = fitKeys(keys, width);
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
