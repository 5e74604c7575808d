import type { Result } from '../errors.js';
import { err, ok } from '../errors.js';
import type { ParseError } from './parse.js';
import { isBlank, normalizeNewlines } from './text.js';

/**
 * Bytes or a string to LF text without a BOM. UTF-8 is expected; UTF-16 with a BOM is
 * read too, because some Windows editors save "Unicode" text that way.
 */
export function decodeInput(input: string | Uint8Array): Result<string, ParseError> {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    const le = input.length >= 2 && input[0] === 0xff && input[1] === 0xfe;
    const be = input.length >= 2 && input[0] === 0xfe && input[1] === 0xff;
    try {
      text = new TextDecoder(le ? 'utf-16le' : be ? 'utf-16be' : 'utf-8', { fatal: true }).decode(input);
    } catch {
      return err({
        expected: 'UTF-8 text',
        message: 'the file is not UTF-8 text; save it as UTF-8 (the seed format or JSON)',
      });
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return ok(normalizeNewlines(text));
}

const FENCE_OPEN = /^\s*(`{3,}|~{3,})[ \t]*(?:[\w.+#-]+[ \t]*)?$/;

/**
 * Unwraps a message an LLM wrapped in a markdown code fence (with or without a
 * language). `lineOffset` is how many input lines precede the returned text, so errors
 * can still name the line of the original file.
 */
export function unwrapFence(text: string): Result<{ text: string; lineOffset: number }, ParseError> {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => !isBlank(l));
  const open = first < 0 ? null : FENCE_OPEN.exec(lines[first] as string);
  if (!open) return ok({ text, lineOffset: 0 });
  const marker = open[1] as string;
  let last = lines.length - 1;
  while (last > first && isBlank(lines[last] as string)) last--;
  const close = last > first ? /^\s*(`{3,}|~{3,})[ \t]*$/.exec(lines[last] as string) : null;
  const closes = close !== null && (close[1] as string)[0] === marker[0] && (close[1] as string).length >= marker.length;
  if (!closes) {
    return err({
      line: first + 1,
      expected: `a closing ${marker} line`,
      message: `line ${first + 1}: the code fence opened here is never closed; add a closing ${marker} line or remove the fence`,
    });
  }
  return ok({ text: lines.slice(first + 1, last).join('\n'), lineOffset: first + 1 });
}
