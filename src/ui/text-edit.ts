import type { Key } from 'ink';

/**
 * One key applied to a one-line text field: printable text (a paste too) is appended,
 * Backspace/Delete remove the last character, Ctrl+U clears. Keys that are not editing
 * (arrows, Enter, Tab, Esc, other Ctrl keys) return `undefined`.
 */
export function editText(value: string, input: string, key: Key): string | undefined {
  if (key.backspace || key.delete) return value.slice(0, -1);
  if (key.ctrl && input === 'u') return '';
  if (key.ctrl || key.meta || key.return || key.tab || key.escape || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown) return undefined;
  if (!input) return undefined;
  // Several Backspaces in one read arrive as one input.
  if (/^[\x7f\b]+$/.test(input)) return value.slice(0, Math.max(0, value.length - input.length));
  // A paste may carry line ends: a one-line field keeps them as spaces; other control characters go.
  const text = [...input.replace(/\r\n?|\n/g, ' ')].filter((c) => c >= ' ' && c !== '\x7f').join('');
  return text ? value + text : undefined;
}

/**
 * Text typed quickly (or pasted, or sent by tmux) can arrive in one read together with
 * the Enter that ends it ("yes\r"): the text before the line end, and whether it ended.
 */
export function splitEnter(input: string): { text: string; enter: boolean } {
  const at = input.search(/[\r\n]/);
  if (input.length <= 1 || at < 0) return { text: input, enter: false };
  return { text: input.slice(0, at), enter: true };
}
