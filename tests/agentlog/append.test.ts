import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendEntry, readAgentLog, renderEntry, TEMPLATE_HEADER } from '../../src/agentlog/index.js';
import { metrics, ruleConfig, tempDir } from './metrics.js';

const cfg = ruleConfig();
const logFile = (project: string): string => path.join(project, '.claude/memory/agent-logs/backend-engineer.md');

describe('appendEntry', () => {
  it("creates a missing log, folders included, with the bootstrap's template header", async () => {
    const project = await tempDir('create');
    await appendEntry(project, cfg, metrics(), { fsync: false });
    expect(await readFile(logFile(project), 'utf8')).toBe(TEMPLATE_HEADER + '\n' + renderEntry(metrics()));
  });

  it('keeps an existing header and earlier entries byte for byte, and adds the new one after a blank line', async () => {
    const project = await tempDir('keep');
    const header = '# Backend Engineer — Agent Log\n<!-- Observations and learned patterns for this project -->\nProject: shop-api (FastAPI)\n';
    const first = renderEntry(metrics());
    await mkdir(path.dirname(logFile(project)), { recursive: true });
    await writeFile(logFile(project), header + '\n' + first);
    const second = metrics({ taskId: 't-2', task: 'Add orders', date: '2026-11-21' });
    await appendEntry(project, cfg, second, { fsync: false });
    expect(await readFile(logFile(project), 'utf8')).toBe(header + '\n' + first + '\n' + renderEntry(second));
  });

  it('replaces the entry of a task already logged instead of adding a second one', async () => {
    const project = await tempDir('idempotent');
    await appendEntry(project, cfg, metrics(), { fsync: false });
    await appendEntry(project, cfg, metrics({ taskId: 't-2', task: 'Add orders' }), { fsync: false });
    const before = await readFile(logFile(project), 'utf8');
    await appendEntry(project, cfg, metrics({ fixCycles: { count: 3, fixed: ['a', 'b', 'c'] } }), { fsync: false });
    await appendEntry(project, cfg, metrics({ fixCycles: { count: 3, fixed: ['a', 'b', 'c'] } }), { fsync: false });
    const log = await readAgentLog(project, cfg);
    expect(log.entries.map((e) => [e.taskId, e.metrics.fixCycles?.count])).toEqual([
      ['t-1', 3],
      ['t-2', 0],
    ]);
    const after = await readFile(logFile(project), 'utf8');
    expect(after.length).toBe(before.length + ' — a; b; c'.length);
    expect(after.endsWith(renderEntry(metrics({ taskId: 't-2', task: 'Add orders' })))).toBe(true);
  });

  it('loses no entry when several runs finish at once', async () => {
    const project = await tempDir('together');
    const ids = ['t-1', 't-2', 't-3', 't-4', 't-5', 't-6'];
    await Promise.all(ids.map((taskId) => appendEntry(project, cfg, metrics({ taskId }), { fsync: false })));
    const log = await readAgentLog(project, cfg);
    expect(log.entries.map((e) => e.taskId).sort()).toEqual(ids);
    expect(log.header).toBe(TEMPLATE_HEADER + '\n');
  });

  it('keeps unreadable entries, CRLF line ends and a BOM when it adds one', async () => {
    const project = await tempDir('crlf');
    const earlier = renderEntry(metrics({ taskId: 't-0', task: 'Set up' })).replace(/\n/g, '\r\n');
    const original = '\uFEFF# Backend Engineer — Agent Log\r\n\r\n' + earlier + '## someday — notes\r\nfree text\r\n';
    await mkdir(path.dirname(logFile(project)), { recursive: true });
    await writeFile(logFile(project), original);
    await appendEntry(project, cfg, metrics(), { fsync: false });
    const text = await readFile(logFile(project), 'utf8');
    expect(text).toBe(original + '\r\n' + renderEntry(metrics()).replace(/\n/g, '\r\n'));
    const log = await readAgentLog(project, cfg);
    expect(log.entries.map((e) => e.valid)).toEqual([true, false, true]);
    expect(log.problems).toHaveLength(1);
  });

  it('writes where agentLog.path says, relative to the project, and leaves no temporary file', async () => {
    const project = await tempDir('path');
    const custom = ruleConfig({ path: 'notes/be.md' });
    await appendEntry(project, custom, metrics());
    expect(await readdir(path.join(project, 'notes'))).toEqual(['be.md']);
    expect((await readAgentLog(project, custom)).entries).toHaveLength(1);
  });
});

describe('readAgentLog', () => {
  it('reads a missing log as empty, not as an error', async () => {
    const project = await tempDir('missing');
    const log = await readAgentLog(project, cfg);
    expect(log).toMatchObject({ exists: false, header: '', entries: [], problems: [] });
    expect(log.file).toBe(logFile(project));
  });

  it('reports a log it cannot read instead of throwing', async () => {
    const project = await tempDir('folder');
    await mkdir(logFile(project), { recursive: true });
    const log = await readAgentLog(project, cfg);
    expect(log.entries).toEqual([]);
    expect(log.problems[0]).toMatch(/cannot read the agent log .*EISDIR/);
  });
});
