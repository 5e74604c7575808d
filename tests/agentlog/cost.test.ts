import { describe, expect, it } from 'vitest';
import { renderEntry, trends } from '../../src/agentlog/index.js';
import { entriesOf, metrics } from './metrics.js';

describe('the cost of a task in the agent log', () => {
  it('is a line of the entry that reads back, and absent when no step reported usage', () => {
    const cost = { usd: 0.4213, inputTokens: 51200, outputTokens: 3200, turns: 14 };
    const text = renderEntry(metrics({ cost }));
    expect(text).toContain('- Cost: $0.42 — 51200 in / 3200 out, 14 turns\n');
    const [entry] = entriesOf([metrics({ cost })]);
    expect(entry!.metrics.cost).toEqual({ usd: 0.42, inputTokens: 51200, outputTokens: 3200, turns: 14 });
    expect(entry!.missing).toEqual([]);
    expect(renderEntry(metrics())).not.toContain('Cost:');
    // A cost with an unpriced model says so.
    expect(renderEntry(metrics({ cost: { ...cost, unknown: true } }))).toContain('- Cost: ? + $0.42 —');
  });

  it('gives the trends a cost per task and its mean, over the entries that state one', () => {
    const t = trends(entriesOf([metrics({ cost: { usd: 0.2, inputTokens: 1, outputTokens: 1, turns: 1 } }), metrics(), metrics({ cost: { usd: 0.6, inputTokens: 1, outputTokens: 1, turns: 1 } })]));
    expect(t.costPerTask).toEqual([0.2, 0.6]);
    expect(t.meanCostUsd).toBe(0.4);
    expect(t.perTask.map((p) => p.costUsd)).toEqual([0.2, null, 0.6]);
  });
});
