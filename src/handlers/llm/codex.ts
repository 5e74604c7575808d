import * as z from 'zod';
import type { CliResult } from './result.js';
import { jsonLines, noResult, sessionProblem } from './result.js';

/** `codex exec --json`: one event per line (codex-rs/exec/src/exec_events.rs). */
const num = z.number().nonnegative().catch(0);
export const codexEventSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('thread.started'), thread_id: z.string() }),
  z.looseObject({ type: z.literal('turn.started') }),
  z.looseObject({
    type: z.literal('turn.completed'),
    usage: z.looseObject({ input_tokens: num.default(0), cached_input_tokens: num.default(0), output_tokens: num.default(0) }).default({ input_tokens: 0, cached_input_tokens: 0, output_tokens: 0 }),
  }),
  z.looseObject({ type: z.literal('turn.failed'), error: z.looseObject({ message: z.string() }) }),
  z.looseObject({ type: z.literal('error'), message: z.string() }),
  z.looseObject({
    type: z.enum(['item.started', 'item.updated', 'item.completed']),
    item: z.looseObject({ id: z.string().optional(), type: z.string(), text: z.string().optional(), command: z.string().optional(), changes: z.array(z.looseObject({ path: z.string() })).optional() }),
  }),
]);
export type CodexEvent = z.infer<typeof codexEventSchema>;

/** The events of a JSONL text that have a known shape; others (new kinds, torn lines) are skipped. */
export function codexEvents(stdout: string): CodexEvent[] {
  return jsonLines(stdout).flatMap((v) => {
    const p = codexEventSchema.safeParse(v);
    return p.success ? [p.data] : [];
  });
}

/** Reads `codex exec --json` output. Codex reports no cost: it is priced from the config. */
export function parseCodex(stdout: string, stderr = '', model = 'codex'): CliResult {
  const events = codexEvents(stdout);
  if (events.length === 0) {
    const said = stderr.trim().split('\n').slice(-3).join('\n');
    const problem = sessionProblem(stderr);
    return { ...noResult(`codex printed no events${said ? `: ${said}` : ''}`), ...(problem ? { session: problem } : {}) };
  }
  let sessionId: string | undefined;
  let text = '';
  let completed = 0;
  const errors: string[] = [];
  const tokens = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
  for (const e of events) {
    if (e.type === 'thread.started') sessionId = e.thread_id;
    else if (e.type === 'turn.completed') {
      completed += 1;
      tokens.inputTokens += e.usage.input_tokens;
      tokens.cachedTokens += e.usage.cached_input_tokens;
      tokens.outputTokens += e.usage.output_tokens;
    } else if (e.type === 'turn.failed') errors.push(e.error.message);
    else if (e.type === 'error') errors.push(e.message);
    else if (e.type === 'item.completed' && e.item.type === 'agent_message' && e.item.text !== undefined) text = e.item.text;
  }
  const unique = [...new Set(errors)];
  const ok = completed > 0 && unique.length === 0;
  const error = ok ? undefined : unique.join('; ') || 'codex ended without completing a turn';
  const problem = sessionProblem(`${unique.join('\n')}\n${stderr}`);
  return {
    ok,
    text,
    ...(error ? { error } : {}),
    ...(sessionId ? { sessionId } : {}),
    models: tokens.inputTokens + tokens.outputTokens > 0 ? { [model]: tokens } : {},
    turns: completed,
    ...(problem && !ok ? { session: problem } : {}),
  };
}

/** One line a person reads for an event, or undefined. */
export function codexLiveLine(event: unknown): string | undefined {
  const p = codexEventSchema.safeParse(event);
  if (!p.success) return undefined;
  const e = p.data;
  if (e.type === 'thread.started') return 'thread started';
  if (e.type === 'turn.failed') return `turn failed: ${e.error.message}`;
  if (e.type === 'error') return `error: ${e.message}`;
  if (e.type === 'item.started' && e.item.type === 'command_execution') return `$ ${e.item.command ?? ''}`;
  if (e.type === 'item.completed') {
    if (e.item.type === 'file_change') return `changed ${(e.item.changes ?? []).map((c) => c.path).join(', ')}`;
    if (e.item.type === 'agent_message' || e.item.type === 'reasoning') return e.item.text?.split('\n').find((l) => l.trim());
  }
  return undefined;
}
