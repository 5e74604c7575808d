import type { Message } from '../../protocol/schema.js';

/**
 * When a file in an inbox is whole (DESIGN §4, "only complete messages are taken").
 * Agents and shells write messages in place, in pieces, with pauses between them; a file
 * read between two pieces must not be journaled as the message. A file is taken at once
 * when it is visibly whole; otherwise only once it has not changed for `settleMs`
 * (`limits.settleMs`, 3 s by default: writers pause up to 2 s between pieces).
 */

/**
 * Whether a parsed message shows its own end: the seed's text form closes with the
 * `[ACTION NEEDED: …]` line; a JSON object or a fenced message only parses when whole.
 * A text message without the closing line may be cut anywhere in its body.
 */
export function looksComplete(message: Message, bytes: Uint8Array): boolean {
  if (message.action !== undefined) return true;
  for (const b of bytes) {
    // Past a BOM and white space, the first character says the form.
    if (b === 0xef || b === 0xbb || b === 0xbf || b === 0xfe || b === 0xff || b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x00) continue;
    return b === 0x7b /* { */ || b === 0x60 /* ` */ || b === 0x7e /* ~ */;
  }
  return false;
}

/** What to do with a file that was read: take it, keep it aside, or wait for its writer. */
export function settleVerdict(read: { ok: boolean; complete?: boolean }, changedAt: number, now: number, settleMs: number): 'take' | 'reject' | 'wait' {
  // Whole milliseconds: the clock reads whole ones, modification times carry fractions.
  const quiet = settleMs === 0 || now - Math.floor(changedAt) >= settleMs;
  if (read.ok) return read.complete !== false || quiet ? 'take' : 'wait';
  // A refusal that is not about the text (a symlink, a folder) does not wait; one for its size waits, as the file may still grow.
  return read.complete === false && !quiet ? 'wait' : 'reject';
}
