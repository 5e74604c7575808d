import type { Message } from '../protocol/schema.js';

/**
 * What the team's protocol asks of a message's content, beyond its format: a HANDOFF
 * carries the report the receiver works from (an empty one would start a run with
 * nothing to plan from, and call the LLM with an empty handoff). Undefined when fine.
 */
export function contentProblem(message: Pick<Message, 'type' | 'body'>): string | undefined {
  if (message.type === 'HANDOFF' && message.body.trim() === '') {
    return "a HANDOFF needs a body: the report the receiver works from (for the backend-engineer, the analyst's report)";
  }
  return undefined;
}
