import type { Message } from './schema.js';
import { normalizeAction, normalizeBody } from './text.js';

export { firstLine } from './text.js';

/**
 * Writes a message in exactly the seed's layout: `[PRIORITY]`, `[TYPE]`, `[TO]`, then
 * the extension headers that are set (FROM, TASK, ID, REPLY-TO, DECISION), a blank
 * line, the body, and when there is an action a blank line and `[ACTION NEEDED: …]`;
 * a final newline. The body and action are written in their canonical form (LF line
 * ends, no leading or trailing blank lines), which is what {@link parseMessage} reads
 * back.
 */
export function renderMessage(m: Message): string {
  const lines = [`[PRIORITY: ${m.priority}]`, `[TYPE: ${m.type}]`, `[TO: ${m.to.join(', ')}]`];
  if (m.from !== undefined) lines.push(`[FROM: ${m.from}]`);
  if (m.task !== undefined) lines.push(`[TASK: ${m.task}]`);
  if (m.id !== undefined) lines.push(`[ID: ${m.id}]`);
  if (m.replyTo !== undefined) lines.push(`[REPLY-TO: ${m.replyTo}]`);
  if (m.decision !== undefined) lines.push(`[DECISION: ${m.decision}]`);
  lines.push('');
  const body = normalizeBody(m.body);
  if (body !== '') lines.push(body);
  if (m.action !== undefined) {
    if (body !== '') lines.push('');
    lines.push(`[ACTION NEEDED: ${normalizeAction(m.action)}]`);
  }
  return `${lines.join('\n')}\n`;
}
