import { describe, expect, it } from 'vitest';
import { printable } from '../src/printable.js';

describe('printable text for a terminal', () => {
  it.each([
    ['a title-setting sequence', 'hi\u001b]0;pwned\u0007 there', 'hi\\e]0;pwned\\x07 there'],
    ['a colour and a screen clear', '\u001b[31mred\u001b[2J', '\\e[31mred\\e[2J'],
    ['a carriage return that would overwrite the line', 'safe\rEVIL', 'safe\\rEVIL'],
    ['a backspace, a NUL and DEL', 'a\bb\u0000c\u007f', 'a\\x08b\\x00c\\x7f'],
    ['an 8-bit CSI (C1)', 'x\u009b31my', 'x\\x9b31my'],
    ['a right-to-left override', 'invoice\u202egpj.exe', 'invoice\\u{202e}gpj.exe'],
  ])('shows %s as escapes', (_what, input, shown) => {
    expect(printable(input)).toBe(shown);
  });

  it('keeps ordinary text, tabs, newlines and non-Latin letters as they are', () => {
    const text = 'PLAN → conductor\n\tcafé 計画 ✓';
    expect(printable(text)).toBe(text);
  });

  it('turns a newline into an escape for a one-line log entry', () => {
    expect(printable('one\ntwo\r\n', { oneLine: true })).toBe('one\\ntwo\\r\\n');
  });
});
