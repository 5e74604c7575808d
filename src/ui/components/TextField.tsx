import { Text } from './Text.js';

/** A one-line text field as drawn: its value (or a dim placeholder) and a cursor block when focused. */
export function TextField({ value, focus, placeholder }: { value: string; focus: boolean; placeholder?: string }) {
  return (
    <Text wrap="truncate-start">
      {value ? value : focus ? '' : <Text dimColor>{placeholder ?? ''}</Text>}
      {focus ? <Text inverse> </Text> : null}
      {!value && focus && placeholder ? <Text dimColor> {placeholder}</Text> : null}
    </Text>
  );
}
