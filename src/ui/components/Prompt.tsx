import { Box } from 'ink';
import { Text } from './Text.js';
import { useRef, useState } from 'react';
import { useKeys } from '../hooks.js';
import { editText, splitEnter } from '../text-edit.js';
import { TextField } from './TextField.js';
import { wrappedRows } from '../format.js';

/** The rows a {@link Prompt} takes at `columns`: its border, the question and hint as wrapped, and the input line. */
export function promptRows(label: string, hint: string | undefined, columns: number): number {
  const inner = columns - 4;
  return 2 + wrappedRows(label, inner) + (hint ? wrappedRows(hint, inner) : 0) + 1;
}

/** A one-line question: Enter answers it, Esc backs out. */
export function Prompt({ label, hint, onSubmit, onCancel }: { label: string; hint?: string; onSubmit: (text: string) => void; onCancel: () => void }) {
  const [value, setValue] = useState('');
  // Keys can come faster than renders: edit the latest text, not the drawn one.
  const text = useRef('');
  useKeys((input, key) => {
    const typed = splitEnter(input);
    if (key.escape) return onCancel();
    if (!key.return) {
      const next = editText(text.current, typed.text, key);
      if (next !== undefined) setValue((text.current = next));
    }
    if (key.return || typed.enter) onSubmit(text.current.trim());
  }, 'overlay');
  return (
    // Never squeezed: a squeezed box draws its rows over each other (the view above gives way instead).
    <Box flexDirection="column" borderStyle="round" borderColor="yellow" paddingX={1} flexShrink={0}>
      <Text bold>{label}</Text>
      {hint ? <Text dimColor>{hint}</Text> : null}
      <Box>
        <Text color="yellow">› </Text>
        <TextField value={value} focus />
      </Box>
    </Box>
  );
}
