import type { Price } from '../../workspace/config-schema.js';

/**
 * What a step attempt (or a whole run) used: tokens, turns, time and money. Tokens are
 * counted the same way for every CLI: `inputTokens` is every prompt token, cached ones
 * included; `cachedTokens` is the part of them read from a cache.
 */
export interface Usage {
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  turns: number;
  durationMs: number;
  /** Where the cost comes from: the CLI's own figure, the config's price table, or nowhere. */
  costFrom?: 'cli' | 'prices' | 'unknown';
}

export const ZERO_USAGE: Usage = { costUsd: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, turns: 0, durationMs: 0 };

/** Tokens one model used, as a CLI reports them. */
export interface ModelTokens {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
}

/** Model name (or a prefix of it, e.g. "gpt-5") → price. */
export type PriceTable = Record<string, Price>;

/** The price of `model`: an exact entry, else the longest entry that is a prefix of its name. */
export function priceOf(model: string, prices: PriceTable): Price | undefined {
  if (prices[model]) return prices[model];
  const prefix = Object.keys(prices)
    .filter((k) => model.startsWith(k))
    .sort((a, b) => b.length - a.length)[0];
  return prefix ? prices[prefix] : undefined;
}

/**
 * The cost of the tokens of each model, from the price table; `undefined` when a model
 * that used tokens has no price (the cost is then unknown, not zero).
 */
export function costFromPrices(models: Record<string, ModelTokens>, prices: PriceTable): number | undefined {
  let total = 0;
  for (const [model, t] of Object.entries(models)) {
    if (t.inputTokens + t.outputTokens === 0) continue;
    const p = priceOf(model, prices);
    if (!p) return undefined;
    const cached = Math.min(t.cachedTokens, t.inputTokens);
    total += ((t.inputTokens - cached) * p.input + cached * (p.cached ?? p.input) + t.outputTokens * p.output) / 1e6;
  }
  return round(total);
}

/** Sum of two usages (a try and the next, a step and the run). */
export function addUsage(a: Usage, b: Usage): Usage {
  const costFrom = a.costFrom === 'unknown' || b.costFrom === 'unknown' ? 'unknown' : (a.costFrom ?? b.costFrom);
  return {
    costUsd: round(a.costUsd + b.costUsd),
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedTokens: a.cachedTokens + b.cachedTokens,
    turns: a.turns + b.turns,
    durationMs: a.durationMs + b.durationMs,
    ...(costFrom ? { costFrom } : {}),
  };
}

/** Summed tokens of every model. */
export function sumTokens(models: Record<string, ModelTokens>): ModelTokens {
  const out = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
  for (const t of Object.values(models)) {
    out.inputTokens += t.inputTokens;
    out.outputTokens += t.outputTokens;
    out.cachedTokens += t.cachedTokens;
  }
  return out;
}

/** "$0.18", "$0.0042", "$12.30"; "?" when the cost is unknown. */
export function formatCost(usage: Pick<Usage, 'costUsd' | 'costFrom'> | undefined): string {
  if (!usage) return '-';
  if (usage.costFrom === 'unknown' && usage.costUsd === 0) return '?';
  const c = usage.costUsd;
  const text = c === 0 ? '$0' : c < 0.01 ? `$${c.toFixed(4)}` : `$${c.toFixed(2)}`;
  return usage.costFrom === 'unknown' ? `${text}+?` : text;
}

/** "25k in (24k cached) / 122 out, 3 turns" */
export function formatTokens(usage: Usage): string {
  const k = (n: number) => (n >= 10_000 ? `${Math.round(n / 1000)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n));
  const cached = usage.cachedTokens ? ` (${k(usage.cachedTokens)} cached)` : '';
  return `${k(usage.inputTokens)} in${cached} / ${k(usage.outputTokens)} out, ${usage.turns} turn${usage.turns === 1 ? '' : 's'}`;
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;
