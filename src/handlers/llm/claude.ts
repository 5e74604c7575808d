import * as z from 'zod';
import type { CliResult } from './result.js';
import { jsonValues, noResult } from './result.js';
import type { ModelTokens } from './usage.js';

/**
 * `claude -p --output-format json|stream-json`: the `result` message (SDKResultMessage),
 * alone, last of a JSON array (verbose mode), or last line of a stream. Only the fields
 * read are named; the rest pass through.
 */
const num = z.number().nonnegative().catch(0);
const modelUsageSchema = z.looseObject({
  inputTokens: num.default(0),
  outputTokens: num.default(0),
  cacheReadInputTokens: num.default(0),
  cacheCreationInputTokens: num.default(0),
  costUSD: num.optional(),
});
const usageSchema = z.looseObject({
  input_tokens: num.default(0),
  output_tokens: num.default(0),
  cache_read_input_tokens: num.default(0),
  cache_creation_input_tokens: num.default(0),
});
export const claudeResultSchema = z.looseObject({
  type: z.literal('result'),
  subtype: z.string(),
  is_error: z.boolean().default(false),
  result: z.string().optional(),
  errors: z.array(z.unknown()).optional(),
  session_id: z.string().optional(),
  num_turns: num.default(0),
  duration_ms: num.optional(),
  total_cost_usd: num.optional(),
  usage: usageSchema.optional(),
  modelUsage: z.record(z.string(), modelUsageSchema).optional(),
  terminal_reason: z.string().optional(),
});
const initSchema = z.looseObject({ type: z.literal('system'), subtype: z.literal('init'), session_id: z.string(), model: z.string().optional() });
const assistantSchema = z.looseObject({
  type: z.literal('assistant'),
  message: z.looseObject({ content: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })).default([]) }),
});

function tokensOf(r: z.infer<typeof claudeResultSchema>, model: string | undefined): Record<string, ModelTokens> {
  const models: Record<string, ModelTokens> = {};
  // modelUsage counts every call (sub-agents, compaction); usage only the main loop.
  for (const [name, m] of Object.entries(r.modelUsage ?? {})) {
    models[name] = { inputTokens: m.inputTokens + m.cacheReadInputTokens + m.cacheCreationInputTokens, outputTokens: m.outputTokens, cachedTokens: m.cacheReadInputTokens };
  }
  if (Object.keys(models).length === 0 && r.usage) {
    const u = r.usage;
    const total = u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;
    if (total + u.output_tokens > 0) models[model ?? 'claude'] = { inputTokens: total, outputTokens: u.output_tokens, cachedTokens: u.cache_read_input_tokens };
  }
  return models;
}

/** The last assistant text of a stream, for a run that ended before its result. */
function lastText(messages: unknown[]): string {
  for (const m of [...messages].reverse()) {
    const a = assistantSchema.safeParse(m);
    if (!a.success) continue;
    const text = a.data.message.content.filter((c) => c.type === 'text' && c.text).map((c) => c.text).join('\n');
    if (text) return text;
  }
  return '';
}

/** Reads claude's stdout (and stderr, for what it prints before a run starts). */
export function parseClaude(stdout: string, stderr = ''): CliResult {
  const messages = jsonValues(stdout);
  const init = messages.map((m) => initSchema.safeParse(m)).find((p) => p.success)?.data;
  const last = [...messages].reverse().find((m) => (m as { type?: unknown } | null)?.type === 'result');
  const parsed = last === undefined ? undefined : claudeResultSchema.safeParse(last);
  const problem = sessionProblemOf(`${stderr}\n${parsed?.success ? (parsed.data.result ?? '') + JSON.stringify(parsed.data.errors ?? []) : ''}`);
  if (!parsed?.success) {
    const said = stderr.trim().split('\n').slice(-3).join('\n');
    const why = last === undefined ? `claude printed no result${said ? `: ${said}` : ''}` : `claude's result did not read: ${parsed!.error.issues[0]?.message ?? 'bad shape'}`;
    return { ...noResult(why), text: lastText(messages), ...(init ? { sessionId: init.session_id } : {}), ...(problem ? { session: problem } : {}) };
  }
  const r = parsed.data;
  const ok = !r.is_error && r.subtype === 'success';
  const errors = (r.errors ?? []).map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('; ');
  const error = ok ? undefined : errors || r.result || `claude ended with ${r.subtype}${r.terminal_reason ? ` (${r.terminal_reason})` : ''}`;
  return {
    ok,
    text: r.result ?? lastText(messages),
    ...(error ? { error: `${r.subtype !== 'success' ? `${r.subtype}: ` : ''}${error}` } : {}),
    ...((r.session_id ?? init?.session_id) ? { sessionId: r.session_id ?? init?.session_id } : {}),
    models: tokensOf(r, init?.model),
    ...(r.total_cost_usd !== undefined ? { costUsd: r.total_cost_usd } : {}),
    turns: r.num_turns,
    ...(r.duration_ms !== undefined ? { durationMs: r.duration_ms } : {}),
    ...(problem ? { session: problem } : {}),
    ...(r.subtype === 'error_max_budget_usd' || r.terminal_reason === 'budget_exhausted' ? { budgetExhausted: true } : {}),
  };
}

function sessionProblemOf(text: string): CliResult['session'] {
  if (/Session ID .* is already in use/i.test(text)) return 'in-use';
  if (/No conversation found/i.test(text)) return 'not-found';
  return undefined;
}

/** One line a person reads for a stream event, or undefined for events not worth showing. */
export function claudeLiveLine(event: unknown): string | undefined {
  const e = event as { type?: string; subtype?: string; message?: { content?: { type: string; text?: string; name?: string; input?: Record<string, unknown> }[] } };
  if (e.type === 'system' && e.subtype === 'init') return 'session started';
  if (e.type === 'system' && e.subtype === 'api_retry') return 'API retry';
  if (e.type === 'assistant') {
    const parts = (e.message?.content ?? []).map((c) => (c.type === 'text' ? c.text?.split('\n').find((l) => l.trim()) : c.type === 'tool_use' ? `${c.name ?? 'tool'} ${firstArg(c.input)}` : undefined)).filter(Boolean);
    return parts.join(' · ') || undefined;
  }
  if (e.type === 'result') return `result: ${e.subtype ?? ''}`;
  return undefined;
}

function firstArg(input: Record<string, unknown> | undefined): string {
  const v = input && (input.file_path ?? input.command ?? input.pattern ?? input.path ?? Object.values(input)[0]);
  return typeof v === 'string' ? v.split('\n')[0]!.slice(0, 80) : '';
}
