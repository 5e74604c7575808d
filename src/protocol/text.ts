/**
 * Text-level helpers shared by the parser and the renderer. Both sides use the same
 * notion of "blank line", of body trimming and of the action line, so that
 * render → parse gives back the message it was given.
 */

/** A line holding nothing but whitespace. */
export function isBlank(line: string): boolean {
  return /^\s*$/.test(line);
}

/** CRLF and lone CR become LF: files written on any system read the same. */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/**
 * The canonical form of a body: LF line ends, no leading or trailing blank lines;
 * the inner text is kept exactly (indentation, trailing spaces, blank lines between).
 */
export function normalizeBody(body: string): string {
  const lines = normalizeNewlines(body).split('\n');
  let start = 0;
  let end = lines.length;
  while (start < end && isBlank(lines[start] as string)) start++;
  while (end > start && isBlank(lines[end - 1] as string)) end--;
  return lines.slice(start, end).join('\n');
}

/** The canonical form of an action: LF line ends, trimmed. */
export function normalizeAction(action: string): string {
  return normalizeNewlines(action).trim();
}

const ACTION_START = /^\s*\[\s*ACTION[\s_-]*NEEDED\s*:/i;

/** True for a line that opens an `[ACTION NEEDED: …]` block. */
export function isActionLine(line: string): boolean {
  return ACTION_START.test(line);
}

/**
 * Splits the trailing `[ACTION NEEDED: …]` off the lines after the headers.
 *
 * The action is the last line that opens with `[ACTION NEEDED:` together with any
 * lines after it, when that text ends with `]`; a lone last line without the closing
 * bracket is accepted too (a writer forgot it). Everything before is the body. So a body
 * whose last non-blank line is an `[ACTION NEEDED: …]` line is read as having that action.
 */
export function splitAction(lines: readonly string[]): { bodyLines: string[]; action?: string } {
  let end = lines.length;
  while (end > 0 && isBlank(lines[end - 1] as string)) end--;
  let start = -1;
  for (let i = end - 1; i >= 0; i--) {
    if (isActionLine(lines[i] as string)) {
      start = i;
      break;
    }
  }
  if (start < 0) return { bodyLines: lines.slice(0, end) };
  const block = lines.slice(start, end).join('\n').trim();
  const afterMarker = block.replace(ACTION_START, '');
  let inner: string;
  if (block.endsWith(']')) inner = afterMarker.slice(0, -1);
  else if (start === end - 1) inner = afterMarker;
  else return { bodyLines: lines.slice(0, end) };
  return { bodyLines: lines.slice(0, start), action: inner.trim() };
}

/**
 * True when a body, written without an action, would be read back with one: it ends in
 * an `[ACTION NEEDED: …]` block (see {@link splitAction}). Writers can check this before
 * rendering such a body.
 */
export function endsWithActionBlock(body: string): boolean {
  return splitAction(normalizeBody(body).split('\n')).action !== undefined;
}

/** The first non-empty line of a body, trimmed, at most `max` characters (for timelines). */
export function firstLine(body: string, max = 120): string {
  const line = normalizeNewlines(body)
    .split('\n')
    .find((l) => !isBlank(l));
  if (line === undefined) return '';
  const t = line.trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

/** 1-based line number of a character offset in `text`. */
export function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
