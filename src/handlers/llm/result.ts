import type { ModelTokens } from './usage.js';

/** What one run of an LLM CLI said, read from its machine output (one shape for every CLI). */
export interface CliResult {
  /** Success by the CLI's own account (an error result is a failure even with exit 0). */
  ok: boolean;
  /** The result text (empty when there is none). */
  text: string;
  /** The CLI's own message when it failed. */
  error?: string;
  /** The session (claude), thread (codex) or session (gemini) id, to resume. */
  sessionId?: string;
  /** Tokens per model. */
  models: Record<string, ModelTokens>;
  /** The CLI's own cost figure, when it gives one (claude). */
  costUsd?: number;
  turns: number;
  /** The CLI's own duration, when it gives one. */
  durationMs?: number;
  /** The session asked for could not be used: it is in use, or it does not exist. */
  session?: 'in-use' | 'not-found';
  /** The CLI stopped because the budget it was given ran out. */
  budgetExhausted?: boolean;
  /** Set when the output held no result at all (a crash before the end). */
  missing?: boolean;
}

export const noResult = (why: string): CliResult => ({ ok: false, text: '', error: why, models: {}, turns: 0, missing: true });

/** The lines of a JSONL text that parse as JSON objects; other lines are skipped. */
export function jsonLines(text: string): unknown[] {
  const out: unknown[] = [];
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (!t.startsWith('{') && !t.startsWith('[')) continue;
    try {
      out.push(JSON.parse(t));
    } catch {
      // A torn last line (the process was killed mid-write), or a log line that looks like JSON.
    }
  }
  return out;
}

/**
 * Every JSON value a CLI's stdout holds: one document (an object or an array of them), or
 * one per line. Text around it (a warning printed first) is tolerated.
 */
export function jsonValues(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    const whole = JSON.parse(trimmed) as unknown;
    return Array.isArray(whole) ? whole : [whole];
  } catch {
    // Not one document: JSONL, or a document after some text.
  }
  const start = trimmed.search(/^[{[]/m);
  if (start > 0) {
    try {
      const rest = JSON.parse(trimmed.slice(start)) as unknown;
      return Array.isArray(rest) ? rest : [rest];
    } catch {
      // Fall through to lines.
    }
  }
  return jsonLines(trimmed).flatMap((v) => (Array.isArray(v) ? v : [v]));
}

/** What the CLI said about the session it was asked to use, from any of its text. */
export function sessionProblem(text: string): CliResult['session'] {
  if (/session id .* is already in use|session .*already in use/i.test(text)) return 'in-use';
  if (/no conversation found|no (saved )?(session|rollout|thread) found|session .*not found|invalid session/i.test(text)) return 'not-found';
  return undefined;
}
