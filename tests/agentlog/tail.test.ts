import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adaptationsFor, appendEntry, renderEntry, TEMPLATE_HEADER } from '../../src/agentlog/index.js';
import { lastEntries, readLastEntries } from '../../src/agentlog/tail.js';
import { metrics, ruleConfig, tempDir } from './metrics.js';

const task = (i: number, over = {}) => renderEntry(metrics({ taskId: `t-${i}`, task: `Task ${i} — ünïcode`, ...over }));

async function fileWith(text: string): Promise<string> {
  const dir = await tempDir('tail');
  const file = path.join(dir, 'log.md');
  await writeFile(file, text);
  return file;
}

describe('readLastEntries', () => {
  it('gives what lastEntries gives of the whole text, reading as little as it can', async () => {
    const body = Array.from({ length: 40 }, (_, i) => task(i)).join('\n');
    const logs = {
      plain: TEMPLATE_HEADER + '\n' + body,
      crlf: '\uFEFF' + (TEMPLATE_HEADER + '\n' + body).replace(/\n/g, '\r\n'),
      'line separators': TEMPLATE_HEADER + '\u2028## 2026-11-20 — odd\u2029## 2026-11-21 — odder\r## 2026-11-22 — oddest\n' + body,
      'headings only at the start': '## 2026-11-20 — one\n## 2026-11-21 — two\n',
      'no headings': 'just text\n',
      empty: '',
    };
    for (const [name, text] of Object.entries(logs)) {
      const file = await fileWith(text);
      for (const n of [1, 3, 17, 39, 40, 41, 100]) {
        // Small first reads make it grow its read several times.
        for (const first of [1, 7, 300, 64 * 1024]) {
          expect(await readLastEntries(file, n, first), `${name}, ${n} entries, first read ${first}`).toBe(lastEntries(text, n));
        }
      }
    }
  });

  it('is what the adaptations are derived from, for a log far longer than one read', async () => {
    const dir = await tempDir('tail-adapt');
    const cfg = ruleConfig();
    const file = path.join(dir, cfg.path);
    await mkdir(path.dirname(file), { recursive: true });
    const old = Array.from({ length: 400 }, (_, i) => task(i)).join('\n');
    const recent = Array.from({ length: 5 }, (_, i) => task(400 + i, { layerViolations: { count: 1, details: ['an endpoint calls a repository'] } })).join('\n');
    await writeFile(file, `${TEMPLATE_HEADER}\n${old}\n${recent}`);
    const { adaptations, problems } = await adaptationsFor(dir, cfg);
    expect(problems).toEqual([]);
    expect(adaptations.map((a) => a.rule)).toContain('layer-violations');
  });
});

describe('the agent log in place of which a FIFO was planted', () => {
  it('is refused at once, neither read nor written (a FIFO would block the engine until a peer wrote or read it)', async () => {
    const project = await tempDir('fifo');
    const file = path.join(project, '.claude/memory/agent-logs/backend-engineer.md');
    await mkdir(path.dirname(file), { recursive: true });
    execFileSync('mkfifo', [file]);
    await expect(readLastEntries(file, 3)).rejects.toThrow(/is not a regular file/);
    await expect(appendEntry(project, ruleConfig(), metrics({ taskId: 't-1', task: 'Task 1' }), { fsync: false })).rejects.toThrow(/is not a regular file/);
  });
});

