import type { TextProps } from 'ink';
import { Text as InkText } from 'ink';
import { Children } from 'react';
import { printable } from '../../printable.js';

/**
 * Ink's Text, with every string child made {@link printable}: the one place where the UI's
 * text (message lines, file names, reasons) becomes terminal output. Every view uses it
 * instead of ink's own.
 */
export function Text({ children, ...props }: TextProps) {
  return <InkText {...props}>{Children.map(children, (c) => (typeof c === 'string' ? printable(c) : c))}</InkText>;
}
