/**
 * Text from outside (message bodies and headers, file names, command output) made safe to
 * show on a terminal: every control character and every character that reorders text is
 * replaced by a visible escape, so an escape sequence in a message cannot recolour,
 * retitle, clear or rewrite the screen, and a carriage return cannot overwrite a line.
 * What is printed for a person goes through this once, where it becomes terminal output
 * (the CLI's text output, the headless log, the UI's Text); `--json` output does not, it
 * stays exact.
 */

/** C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides and isolates. */
/* eslint-disable no-control-regex -- matching control characters is this module's purpose */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_OR_NEWLINE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\u001b': '\\e' };

function visible(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/**
 * `text` with its control characters shown as escapes (`\e`, `\r`, `\x07`, `\u{202e}`).
 * Newlines and tabs are kept unless `oneLine` is set, when a newline becomes `\n` too
 * (for a log line, which must stay one line).
 */
export function printable(text: string, opts: { oneLine?: boolean } = {}): string {
  return text.replace(opts.oneLine ? UNSAFE_OR_NEWLINE : UNSAFE, visible);
}
