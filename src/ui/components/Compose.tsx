import { Box } from 'ink';
import { Text } from './Text.js';
import { useRef, useState } from 'react';
import type { Message } from '../../protocol/schema.js';
import { MESSAGE_TYPES, PRIORITIES } from '../../protocol/schema.js';
import type { Config } from '../../workspace/config-schema.js';
import type { Draft, Field } from '../compose.js';
import { FIELDS, checkDraft, cycle, emptyDraft } from '../compose.js';
import { useKeys } from '../hooks.js';
import { editText, splitEnter } from '../text-edit.js';
import { TextField } from './TextField.js';

const CHOICES: Partial<Record<Field, readonly string[]>> = { type: MESSAGE_TYPES, priority: PRIORITIES };
const PLACEHOLDER: Partial<Record<Field, string>> = { body: 'text (\\n for a new line); Enter sends', task: '(optional) task id', to: 'member, member or ALL' };

/** Compose and send a message to any member, checked on every key. */
export function Compose({ config, preset, onSend, onCancel }: { config: Config; preset: { to?: string; task?: string }; onSend: (m: Message) => void; onCancel: () => void }) {
  const [draft, setDraftState] = useState<Draft>(() => emptyDraft(config, preset));
  const [focus, setFocusState] = useState<Field>('to');
  // Keys can come faster than renders: edit the latest draft, not the drawn one.
  const latest = useRef({ draft, focus });
  const setDraft = (d: Draft) => setDraftState((latest.current.draft = d));
  const setFocus = (f: Field) => setFocusState((latest.current.focus = f));
  const check = checkDraft(draft, config);
  useKeys((input, key) => {
    const { draft: d, focus: f } = latest.current;
    const move = (dir: 1 | -1) => setFocus(FIELDS[(FIELDS.indexOf(f) + dir + FIELDS.length) % FIELDS.length]!);
    const enter = () => {
      const c = checkDraft(latest.current.draft, config);
      if (f !== 'body') move(1);
      else if (c.ok) onSend(c.message);
    };
    const typed = splitEnter(input);
    if (key.escape) onCancel();
    else if (key.ctrl && input === 's') {
      const c = checkDraft(d, config);
      if (c.ok) onSend(c.message);
    } else if (key.tab) move(key.shift ? -1 : 1);
    else if (key.upArrow) move(-1);
    else if (key.downArrow) move(1);
    else if (key.return) enter();
    else if (CHOICES[f]) {
      if (key.leftArrow || key.rightArrow || input === ' ') setDraft({ ...d, [f]: cycle(CHOICES[f]!, d[f as 'type'], key.leftArrow ? -1 : 1) });
    } else {
      const next = editText(d[f], typed.text, key);
      if (next !== undefined) setDraft({ ...d, [f]: next });
      if (typed.enter) enter();
    }
  }, 'overlay');
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
            <TextField value={draft[f]} focus={focus === f} {...(PLACEHOLDER[f] ? { placeholder: PLACEHOLDER[f] } : {})} />
          )}
        </Box>
      ))}
      {check.ok ? <Text color="green">✓ ready: {check.message.type} to {check.recipients.join(', ')} (Ctrl+S, or Enter on body, sends)</Text> : <Text color="red">✗ {check.error}</Text>}
    </Box>
  );
}
