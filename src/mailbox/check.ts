import { parseMessage } from '../protocol/parse.js';
import type { Message } from '../protocol/schema.js';
import type { Config } from '../workspace/config-schema.js';
import { contentProblem } from '../workspace/message-rules.js';
import { checkAddresses } from '../workspace/team.js';

/** What {@link checkInbound} makes of a message's bytes. */
export type Checked =
  | { ok: true; message: Message; from: string; recipients: string[] }
  /** `parsed`: the message as read, when the text itself could be read (not when it may be cut short). */
  | { ok: false; reason: string; parsed?: Message };

/** The sender a file name gives: `<sender>--<rest>`. */
export function senderFromFileName(name: string): string | undefined {
  const i = name.indexOf('--');
  return i > 0 ? name.slice(0, i).toLowerCase() : undefined;
}

/** "line 3: ...; expected ..." for a parse error (the protocol's message usually says it all). */
export function describeParseError(e: { line?: number; expected: string; message: string }): string {
  const msg = e.message.trim();
  const at = e.line !== undefined && !msg.startsWith(`line ${e.line}`) ? `line ${e.line}: ` : '';
  const expected = e.expected && !msg.includes('expected') ? `${msg ? '; ' : ''}expected ${e.expected}` : '';
  return `${at}${msg}${expected}`;
}

/**
 * Parses one inbound message for `member` and checks it against the team, as every
 * mailbox adapter does: the team's aliases, the sender from the message (or `name`, a
 * `<sender>--…` file name), sender and recipients known, and `member` among the recipients.
 * Never throws: the reason says what a person should fix.
 */
export function checkInbound(config: Config, member: string, bytes: Uint8Array, name?: string): Checked {
  const parsed = parseMessage(bytes, { aliases: config.aliases, ...(name !== undefined ? { fileName: name } : {}), defaultTo: member });
  if (!parsed.ok) return { ok: false, reason: describeParseError(parsed.error) };
  const problem = contentProblem(parsed.value);
  if (problem) return { ok: false, reason: problem, parsed: parsed.value };
  const sender = name !== undefined ? senderFromFileName(name) : undefined;
  const addresses = checkAddresses(parsed.value, config, sender !== undefined ? { sender } : {});
  if (!addresses.ok) return { ok: false, reason: addresses.error, parsed: parsed.value };
  const { from, recipients } = addresses.value;
  if (!recipients.includes(member)) return { ok: false, reason: `addressed to ${recipients.join(', ')}, not ${member}; deliver it to their inbox instead`, parsed: parsed.value };
  return { ok: true, message: { ...parsed.value, from }, from, recipients };
}
