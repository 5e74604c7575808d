import { Box, Text, useInput } from 'ink';
import TextInput from 'ink-text-input';
import { useState } from 'react';
import type { Message } from '../../protocol/schema.js';
import { MESSAGE_TYPES, PRIORITIES } from '../../protocol/schema.js';
import type { Config } from '../../workspace/config-schema.js';
import type { Draft, Field } from '../compose.js';
import { FIELDS, checkDraft, cycle, emptyDraft } from '../compose.js';

const CHOICES: Partial<Record<Field, readonly string[]>> = { type: MESSAGE_TYPES, priority: PRIORITIES };

/** Compose and send a message to any member, checked on every key. */
export function Compose({ config, preset, onSend, onCancel }: { config: Config; preset: { to?: string; task?: string }; onSend: (m: Message) => void; onCancel: () => void }) {
  const [draft, setDraft] = useState<Draft>(() => emptyDraft(config, preset));
  const [focus, setFocus] = useState<Field>('to');
  const check = checkDraft(draft, config);
  const move = (dir: 1 | -1) => setFocus((f) => FIELDS[(FIELDS.indexOf(f) + dir + FIELDS.length) % FIELDS.length]!);
  const send = () => {
    if (check.ok) onSend(check.message);
  };
  useInput((input, key) => {
    if (key.escape) onCancel();
    else if (key.ctrl && input === 's') send();
    else if (key.tab) move(key.shift ? -1 : 1);
    else if (key.upArrow) move(-1);
    else if (key.downArrow) move(1);
    else if (CHOICES[focus] && (key.leftArrow || key.rightArrow || input === ' ')) {
      const options = CHOICES[focus]!;
      setDraft((d) => ({ ...d, [focus]: cycle(options, d[focus as 'type'], key.leftArrow ? -1 : 1) }));
    } else if (CHOICES[focus] && key.return) move(1);
  });
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="magenta" paddingX={1}>
      <Text bold>Compose a message</Text>
      <Text dimColor>members: {config.members.join(', ')}, ALL — several with commas</Text>
      {FIELDS.map((f) => (
        <Box key={f}>
          <Text color={focus === f ? 'magenta' : undefined} bold={focus === f}>
            {focus === f ? '› ' : '  '}
            {f.padEnd(9)}
          </Text>
          {CHOICES[f] ? (
            <Text>
              {focus === f ? '◂ ' : ''}
              {draft[f]}
              {focus === f ? ' ▸' : ''}
            </Text>
          ) : (
            <TextInput
              value={draft[f]}
              focus={focus === f}
              showCursor={focus === f}
              placeholder={f === 'body' ? 'text (\\n for a new line); Enter sends' : f === 'task' ? '(optional) task id' : ''}
              onChange={(v) => setDraft((d) => ({ ...d, [f]: v }))}
              onSubmit={() => (f === 'body' ? send() : move(1))}
            />
          )}
        </Box>
      ))}
      {check.ok ? <Text color="green">✓ ready: {check.message.type} to {check.recipients.join(', ')} (Ctrl+S or Enter on body sends)</Text> : <Text color="red">✗ {check.error}</Text>}
    </Box>
  );
}
