import { mkdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendEntry, readAgentLog, renderEntry, TEMPLATE_HEADER, withEntry } from '../../src/agentlog/index.js';
import type { RunMetrics } from '../../src/agentlog/index.js';
import { idHash } from '../../src/agentlog/write.js';
import { metrics, ruleConfig, tempDir } from './metrics.js';

const cfg = ruleConfig();
const logFile = (project: string): string => path.join(project, '.claude/memory/agent-logs/backend-engineer.md');
const task = (i: number): RunMetrics => metrics({ taskId: `t-${i}`, task: `Task ${i}` });

async function logWith(text: string): Promise<string> {
  const project = await tempDir('in-place');
  await mkdir(path.dirname(logFile(project)), { recursive: true });
  await writeFile(logFile(project), text);
  return project;
}

describe('appendEntry on a log it keeps appending to', () => {
  it('writes exactly what withEntry gives, whatever blank lines the log ended with', async () => {
    for (const ending of ['', '\n', '\n\n', '\n\n\n\n']) {
      const start = TEMPLATE_HEADER + '\n' + renderEntry(task(0)).trimEnd() + ending;
      const project = await logWith(start);
      let expected = start;
      for (const i of [1, 2, 3]) {
        await appendEntry(project, cfg, task(i), { fsync: false });
        expected = withEntry(expected, task(i));
      }
      expect(await readFile(logFile(project), 'utf8'), JSON.stringify(ending)).toBe(expected);
    }
  });

  it('appends to the file it has, instead of writing a new one, once it has read it', async () => {
    const project = await logWith(TEMPLATE_HEADER);
    await appendEntry(project, cfg, task(1), { fsync: false });
    const { ino } = await stat(logFile(project));
    for (const i of [2, 3, 4, 5]) await appendEntry(project, cfg, task(i));
    expect((await stat(logFile(project))).ino).toBe(ino);
    const log = await readAgentLog(project, cfg);
    expect(log.entries.map((e) => e.taskId)).toEqual(['t-1', 't-2', 't-3', 't-4', 't-5']);
    expect(log.problems).toEqual([]);
  });

  it('hands the fsync of an append to a caller that waits for it itself, the entry written when it resolves', async () => {
    const project = await logWith(TEMPLATE_HEADER);
    await appendEntry(project, cfg, task(1), { fsync: false });
    const durable: Promise<void>[] = [];
    await appendEntry(project, cfg, task(2), { durable });
    expect(durable).toHaveLength(1);
    expect((await readAgentLog(project, cfg)).entries.map((e) => e.taskId)).toEqual(['t-1', 't-2']);
    await expect(durable[0]).resolves.toBeUndefined();
    // Without fsync there is nothing to wait for; a rewrite is durable when it resolves.
    const none: Promise<void>[] = [];
    await appendEntry(project, cfg, task(3), { fsync: false, durable: none });
    await appendEntry(project, cfg, metrics({ taskId: 't-2', task: 'Task 2 again' }), { durable: none });
    expect(none).toEqual([]);
    expect((await readAgentLog(project, cfg)).entries.map((e) => e.taskId)).toEqual(['t-1', 't-2', 't-3']);
  });

  it('still replaces the entry of a task it logged before, in place', async () => {
    const project = await logWith(TEMPLATE_HEADER);
    for (const i of [1, 2, 3]) await appendEntry(project, cfg, task(i), { fsync: false });
    await appendEntry(project, cfg, metrics({ taskId: 't-2', task: 'Task 2', fixCycles: { count: 1, fixed: ['the bug'] } }), { fsync: false });
    const log = await readAgentLog(project, cfg);
    expect(log.entries.map((e) => [e.taskId, e.metrics.fixCycles?.count])).toEqual([
      ['t-1', 0],
      ['t-2', 1],
      ['t-3', 0],
    ]);
  });

  it('reads the log again when someone else changed it since, and keeps their change', async () => {
    const project = await logWith(TEMPLATE_HEADER);
    await appendEntry(project, cfg, task(1), { fsync: false });
    // A person logs task 2 by hand, then the run of task 2 finishes: one entry for it, the run's.
    const byHand = (await readFile(logFile(project), 'utf8')) + '\n' + renderEntry(metrics({ taskId: 't-2', task: 'By hand' })) + '\nnotes\n';
    await writeFile(logFile(project), byHand);
    await appendEntry(project, cfg, task(2), { fsync: false });
    const text = await readFile(logFile(project), 'utf8');
    expect(text).toBe(withEntry(byHand, task(2)));
    expect((await readAgentLog(project, cfg)).entries.map((e) => e.task)).toEqual(['Task 1', 'Task 2']);
    // And an edit that keeps the file's size is seen too (its mtime moves).
    const same = text.replace('Task 1', 'Task X');
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(logFile(project), same);
    await appendEntry(project, cfg, task(3), { fsync: false });
    expect(await readFile(logFile(project), 'utf8')).toBe(withEntry(same, task(3)));
  });

  it('mends an entry a crash cut short when the run logs it again as it recovers', async () => {
    const project = await logWith(TEMPLATE_HEADER);
    await appendEntry(project, cfg, task(1), { fsync: false });
    await appendEntry(project, cfg, task(2), { fsync: false });
    const whole = await readFile(logFile(project), 'utf8');
    // Cut in the middle of the last entry, after its heading.
    const cut = Buffer.byteLength(whole) - Math.floor(Buffer.byteLength(renderEntry(task(2))) / 2);
    await truncate(logFile(project), cut);
    await appendEntry(project, cfg, task(2), { fsync: false });
    expect(await readFile(logFile(project), 'utf8')).toBe(whole);
  });

  it('loses no entry when runs finish together, and the log reads back whole', async () => {
    const project = await logWith(TEMPLATE_HEADER);
    await appendEntry(project, cfg, task(0), { fsync: false });
    const ids = Array.from({ length: 30 }, (_, i) => i + 1);
    await Promise.all(ids.map((i) => appendEntry(project, cfg, task(i), { fsync: false })));
    const log = await readAgentLog(project, cfg);
    expect(log.entries.map((e) => e.taskId).sort()).toEqual(['t-0', ...ids.map((i) => `t-${i}`)].sort());
    expect(log.problems).toEqual([]);
  });

  it('adds the entry of a task whose id hashes like a logged one, and keeps that one', async () => {
    // Two task ids with the same hash, found by trying (the writer keeps hashes, not ids).
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const id = `task-${i}`;
      const other = seen.get(idHash(id));
      if (other !== undefined) pair = [other, id];
      else seen.set(idHash(id), id);
    }
    const project = await logWith(TEMPLATE_HEADER);
    const [first, second] = pair.map((id) => metrics({ taskId: id, task: `Task ${id}` }));
    await appendEntry(project, cfg, first!, { fsync: false });
    const before = await readFile(logFile(project), 'utf8');
    await appendEntry(project, cfg, second!, { fsync: false });
    expect(await readFile(logFile(project), 'utf8')).toBe(withEntry(before, second!));
    expect((await readAgentLog(project, cfg)).entries.map((e) => e.taskId)).toEqual(pair);
  });
});
