import { printable } from '../printable.js';

/**
 * The CLI's only ways to print. Text for a person goes through {@link printable}, so
 * message text and file names cannot send escape sequences to the terminal; JSON is
 * written exactly (JSON.stringify already escapes what a parser needs escaped).
 */
export function say(text: string): void {
  process.stdout.write(printable(text));
}

/** One log line (headless): a newline inside it is shown as `\n`, so the line stays one line. */
export function sayLine(line: string): void {
  process.stdout.write(`${printable(line, { oneLine: true })}\n`);
}

/** `value` as indented JSON on stdout, exactly. */
export function sayJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Text for a person on stderr (errors, notes), made printable like {@link say}. */
export function complain(text: string): void {
  process.stderr.write(printable(text));
}
