import { renderMessage } from '../../src/protocol/render.js';
import type { Message } from '../../src/protocol/schema.js';
import { fullScenario } from '../../src/sim/scenario.js';

/** Tallies of one fuzzed target. */
export interface Tally {
  inputs: number;
  accepted: number;
  rejected: number;
  /** An exception instead of a result (or, for the inbox, a file neither taken nor rejected). */
  crashes: number;
  /** Rejections whose reason was empty. */
  silent: number;
  /** Accepted messages that did not read back equal after render (messages only). */
  roundTrip: number;
  examples: string[];
}

export const tally = (): Tally => ({ inputs: 0, accepted: 0, rejected: 0, crashes: 0, silent: 0, roundTrip: 0, examples: [] });

/** Keeps the first few problems of a kind as examples for the report. */
export function note(t: Tally, what: string, input: string): void {
  if (t.examples.length < 5) t.examples.push(`${what}: ${JSON.stringify(input.slice(0, 300))}`);
}

/**
 * Valid messages in every form the inbox accepts: the scripted team's lifecycle (text
 * form), the same as JSON, Claude Code's plan_approval_response, a code fence, CRLF with
 * a BOM, and an explicit DECISION header.
 */
export function messageSeeds(): string[] {
  const out: string[] = [];
  for (const task of ['fz-1', 'fz-2', 'fz-3']) {
    for (const stage of fullScenario(task)) {
      if (!stage.drop) continue;
      const m = { ...stage.drop, task } as Message;
      const text = renderMessage(m);
      out.push(text, JSON.stringify({ from: m.from, to: m.to, type: m.type, priority: m.priority, task, body: m.body, ...(m.action ? { action: m.action } : {}) }));
      out.push(`\uFEFF${text.replace(/\n/g, '\r\n')}`, `\`\`\`\n${text}\`\`\`\n`);
    }
  }
  out.push(JSON.stringify({ type: 'plan_approval_response', requestId: 'r-1', approved: true, feedback: 'ok' }));
  out.push(JSON.stringify({ type: 'plan_approval_response', requestId: 'r-2', approved: false, feedback: 'split the migration' }));
  out.push(renderMessage({ from: 'conductor', to: ['backend-engineer'], type: 'STATUS', priority: 'HIGH', task: 'fz-1', decision: 'APPROVED', id: 'c-1', replyTo: 'fz-1.3', body: 'go ahead' }));
  return out;
}
