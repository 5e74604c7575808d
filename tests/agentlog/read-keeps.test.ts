import { randomUUID } from 'node:crypto';
import { getHeapSnapshot } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { parseAgentLog, renderEntry, TEMPLATE_HEADER } from '../../src/agentlog/index.js';
import { ownCopy } from '../../src/agentlog/read.js';
import { metrics } from './metrics.js';

/** Whether a heap snapshot of this process holds `needle` in a string (the snapshot collects garbage first). */
async function heapHolds(needle: string): Promise<boolean> {
  let tail = '';
  for await (const chunk of getHeapSnapshot()) {
    const text = tail + String(chunk);
    if (text.includes(needle)) return true;
    tail = text.slice(-needle.length);
  }
  return false;
}

describe('the entries kept between reads of the agent log', () => {
  it('do not keep alive the text of the log they were read from', async () => {
    const mark = randomUUID();
    const entries = Array.from({ length: 20 }, (_, i) => renderEntry(metrics({ taskId: `t-${i}-${mark}`, task: `Task ${i}` }))).join('\n');
    const read = (): number => parseAgentLog(`<!-- ${mark} the whole log -->\n` + TEMPLATE_HEADER + '\n' + entries).entries.length;
    expect(read()).toBe(20);
    // The parsed entries stay cached; the log's text, read once, must not stay with them.
    expect(await heapHolds(`${mark} the whole log`)).toBe(false);
    // The same entries in a log read again are given back from the cache, whole.
    const again = parseAgentLog(TEMPLATE_HEADER + '\n' + entries);
    expect(again.entries.map((e) => e.taskId)).toEqual(Array.from({ length: 20 }, (_, i) => `t-${i}-${mark}`));
    expect(again.header + again.entries.map((e) => e.raw).join('')).toBe(TEMPLATE_HEADER + '\n' + entries);
  });

  it('are copies that keep every code unit, lone surrogates included', () => {
    const odd = 'a\uD800b\uDFFFc — é\n';
    expect(ownCopy(odd)).toBe(odd);
    expect(ownCopy(odd).length).toBe(odd.length);
  });
});
