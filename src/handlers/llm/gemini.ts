import * as z from 'zod';
import type { CliResult } from './result.js';
import { jsonValues, noResult, sessionProblem } from './result.js';
import type { ModelTokens } from './usage.js';

/** `gemini -p … -o json`: `{session_id, response, stats, error?}` (packages/core/src/output/types.ts). */
const num = z.number().nonnegative().catch(0);
const modelStatsSchema = z.looseObject({
  api: z.looseObject({ totalRequests: num.default(0) }).optional(),
  tokens: z.looseObject({ prompt: num.default(0), candidates: num.default(0), cached: num.default(0), thoughts: num.default(0) }).optional(),
});
export const geminiOutputSchema = z.looseObject({
  session_id: z.string().optional(),
  response: z.string().optional(),
  stats: z.looseObject({ models: z.record(z.string(), modelStatsSchema).default({}) }).optional(),
  error: z.looseObject({ type: z.string().optional(), message: z.string(), code: z.union([z.number(), z.string()]).optional() }).optional(),
});

/** Reads gemini's JSON output. Gemini reports no cost: it is priced from the config. */
export function parseGemini(stdout: string, stderr = ''): CliResult {
  const doc = jsonValues(stdout).find((v) => v !== null && typeof v === 'object' && ('response' in v || 'error' in v || 'session_id' in v));
  const parsed = doc === undefined ? undefined : geminiOutputSchema.safeParse(doc);
  if (!parsed?.success) {
    const said = stderr.trim().split('\n').slice(-3).join('\n');
    const problem = sessionProblem(stderr);
    return { ...noResult(`gemini printed no JSON result${said ? `: ${said}` : ''}`), ...(problem ? { session: problem } : {}) };
  }
  const g = parsed.data;
  const models: Record<string, ModelTokens> = {};
  let turns = 0;
  for (const [name, m] of Object.entries(g.stats?.models ?? {})) {
    turns += m.api?.totalRequests ?? 0;
    // Thinking tokens are billed as output.
    if (m.tokens) models[name] = { inputTokens: m.tokens.prompt, outputTokens: m.tokens.candidates + m.tokens.thoughts, cachedTokens: m.tokens.cached };
  }
  const ok = !g.error;
  const problem = g.error ? sessionProblem(`${g.error.message}\n${stderr}`) : undefined;
  return {
    ok,
    text: g.response ?? '',
    ...(g.error ? { error: `${g.error.type ? `${g.error.type}: ` : ''}${g.error.message}` } : {}),
    ...(g.session_id ? { sessionId: g.session_id } : {}),
    models,
    turns,
    ...(problem ? { session: problem } : {}),
  };
}
