import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseClaude } from '../../../src/handlers/llm/claude.js';
import { parseCodex } from '../../../src/handlers/llm/codex.js';
import { parseGemini } from '../../../src/handlers/llm/gemini.js';
import { usageOf } from '../../../src/handlers/llm/tool.js';
import { costFromPrices, formatCost } from '../../../src/handlers/llm/usage.js';

const sample = (name: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/llm/${name}`, import.meta.url)), 'utf8');

describe('claude output', () => {
  it('reads a success: the result, the session, tokens of every model, turns and the cost claude reports', () => {
    const r = parseClaude(sample('claude/success.json'));
    expect(r.ok).toBe(true);
    expect(r.text).toContain('Files changed:');
    expect(r.sessionId).toBe('0b9e7c1e-3f5a-4d1b-9a47-5c2f8e6d1a10');
    expect(r.turns).toBe(7);
    expect(r.costUsd).toBe(0.18342);
    // modelUsage (every call, sub-agents too), with cache reads and writes counted as input.
    expect(r.models['claude-sonnet-4-5-20250929']).toEqual({ inputTokens: 21 + 48310 + 9120, outputTokens: 2204, cachedTokens: 48310 });
    expect(r.models['claude-haiku-4-5-20251001']).toEqual({ inputTokens: 1830, outputTokens: 412, cachedTokens: 0 });
    expect(usageOf(r, 5000, {})).toMatchObject({ costUsd: 0.18342, costFrom: 'cli', inputTokens: 59281, outputTokens: 2616, turns: 7, durationMs: 5000 });
  });

  it('reads error_max_turns as a failure with claude\'s own message, keeping what it cost', () => {
    const r = parseClaude(sample('claude/error-max-turns.json'));
    expect(r.ok).toBe(false);
    expect(r.error).toBe('error_max_turns: Reached maximum number of turns (10)');
    expect(r.costUsd).toBe(0.41207);
    expect(r.turns).toBe(11);
  });

  it('marks a result stopped by --max-budget-usd', () => {
    const r = parseClaude(sample('claude/error-budget.json'));
    expect(r.ok).toBe(false);
    expect(r.budgetExhausted).toBe(true);
  });

  it('takes a crash result with zeroed usage as a failure that cost nothing known', () => {
    const r = parseClaude(sample('claude/crash-zeroed.json'));
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^error_during_execution: API Error: 529/);
    expect(r.models).toEqual({});
    expect(usageOf(r, 3310, {})).toMatchObject({ costUsd: 0, inputTokens: 0, outputTokens: 0 });
  });

  it('takes is_error with subtype success (an auth failure printed as the result) as a failure', () => {
    const r = parseClaude(sample('claude/auth-failure.json'));
    expect(r.ok).toBe(false);
    expect(r.error).toBe('Invalid API key · Please run /login');
  });

  it('reads the array verbose mode prints, and the same messages as a stream, alike', () => {
    const array = parseClaude(sample('claude/verbose-array.json'));
    const stream = parseClaude(sample('claude/stream.jsonl'));
    expect(array.ok).toBe(true);
    expect(array.text).toContain('# Code Review Report');
    expect(array.sessionId).toBe('3c2b1a09-8f7e-4d6c-b5a4-938271605f4e');
    expect(stream).toEqual(array);
  });

  it('keeps the session and the last text of a stream cut before its result', () => {
    const lines = sample('claude/stream.jsonl').trim().split('\n');
    const r = parseClaude(lines.slice(0, -1).join('\n') + '\n{"type":"assi', 'killed');
    expect(r).toMatchObject({ ok: false, missing: true, sessionId: '3c2b1a09-8f7e-4d6c-b5a4-938271605f4e' });
    expect(r.text).toContain('# Code Review Report');
    expect(parseClaude('', 'Error: something').error).toBe('claude printed no result: Error: something');
  });

  it('tells a session in use and a session not found from what claude prints', () => {
    expect(parseClaude('', sample('claude/session-in-use.stderr.txt')).session).toBe('in-use');
    expect(parseClaude('', sample('claude/no-conversation.stderr.txt')).session).toBe('not-found');
    expect(parseClaude(sample('claude/success.json')).session).toBeUndefined();
  });
});

describe('codex output', () => {
  it('reads the JSONL events: thread id, last agent message, summed turn usage', () => {
    const r = parseCodex(sample('codex/success.jsonl'), '', 'gpt-5-codex');
    expect(r).toMatchObject({ ok: true, sessionId: '0199a213-81c0-7800-8aa1-bbab2a035a53', turns: 1 });
    expect(r.text).toBe('Implemented: cancel an order\n\nFiles changed:\n- app/services/OrderService.py');
    expect(r.models).toEqual({ 'gpt-5-codex': { inputTokens: 24763, outputTokens: 122, cachedTokens: 24448 } });
    expect(r.costUsd).toBeUndefined();
  });

  it('takes turn.failed and error events as a failure with codex\'s message, whatever the exit code', () => {
    const r = parseCodex(sample('codex/turn-failed.jsonl'));
    expect(r.ok).toBe(false);
    expect(r.error).toBe('stream disconnected before completion: Rate limit reached for gpt-5-codex');
    expect(r.sessionId).toBe('0199a2c4-1d2e-7f30-9b41-5c6d7e8f9a0b');
  });

  it('tells a resumed thread that is not found', () => {
    expect(parseCodex(sample('codex/resume-not-found.jsonl')).session).toBe('not-found');
  });

  it('is priced from the config, by the longest model prefix', () => {
    const r = parseCodex(sample('codex/success.jsonl'), '', 'gpt-5-codex');
    const prices = { gpt: { input: 100, output: 100 }, 'gpt-5': { input: 1.25, output: 10, cached: 0.125 } };
    const expected = ((24763 - 24448) * 1.25 + 24448 * 0.125 + 122 * 10) / 1e6;
    expect(usageOf(r, 1, prices)).toMatchObject({ costFrom: 'prices', costUsd: Math.round(expected * 1e6) / 1e6 });
    expect(usageOf(r, 1, {})).toMatchObject({ costFrom: 'unknown', costUsd: 0 });
    expect(formatCost(usageOf(r, 1, {}))).toBe('?');
  });
});

describe('gemini output', () => {
  it('reads the JSON: response, session, tokens of each model (thoughts as output), requests as turns', () => {
    const r = parseGemini(sample('gemini/success.json'));
    expect(r.ok).toBe(true);
    expect(r.text).toContain('# Security Audit Report');
    expect(r.sessionId).toBe('8f14e45f-ceea-467a-9575-0c5b1c2d3e4f');
    expect(r.models['gemini-2.5-pro']).toEqual({ inputTokens: 31204, outputTokens: 905 + 1601, cachedTokens: 20480 });
    expect(r.turns).toBe(4);
    expect(costFromPrices(r.models, { 'gemini-2.5-pro': { input: 1.25, output: 10 } })).toBeUndefined();
  });

  it('takes an error object as a failure with gemini\'s message', () => {
    const r = parseGemini(sample('gemini/error.json'));
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^FatalTurnLimitedError: Reached max session turns/);
    expect(r.text).toBe('');
  });

  it('reads JSON printed after a line of text, and says when there is none', () => {
    expect(parseGemini(`Loaded cached credentials.\n${sample('gemini/success.json')}`).ok).toBe(true);
    expect(parseGemini('', 'boom')).toMatchObject({ ok: false, missing: true, error: 'gemini printed no JSON result: boom' });
  });
});
