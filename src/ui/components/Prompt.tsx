import { Box, Text, useInput } from 'ink';
import TextInput from 'ink-text-input';
import { useState } from 'react';

/** A one-line question: Enter answers it, Esc backs out. */
export function Prompt({ label, hint, onSubmit, onCancel }: { label: string; hint?: string; onSubmit: (text: string) => void; onCancel: () => void }) {
  const [value, setValue] = useState('');
  useInput((_input, key) => {
    if (key.escape) onCancel();
  });
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="yellow" paddingX={1}>
      <Text bold>{label}</Text>
      {hint ? <Text dimColor>{hint}</Text> : null}
      <Box>
        <Text color="yellow">› </Text>
        <TextInput value={value} onChange={setValue} onSubmit={() => onSubmit(value.trim())} />
      </Box>
    </Box>
  );
}
