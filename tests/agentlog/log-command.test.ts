import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { appendEntry } from '../../src/agentlog/index.js';
import { metrics, ruleConfig, tempDir } from './metrics.js';

const run = promisify(execFile);
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/bundle/main.js');

/** Runs the built CLI; resolves with its exit code instead of rejecting on a non-zero one. */
async function teamstate(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('teamstate log (built CLI)', () => {
  let root: string;
  let workspace: string;
  let project: string;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
    root = await tempDir('cli');
    workspace = path.join(root, 'ws');
    project = path.join(root, 'app');
    await mkdir(workspace);
    await mkdir(project);
    await writeFile(
      path.join(workspace, 'teamstate.json'),
      JSON.stringify({ members: ['backend-engineer', 'conductor'], engine: { member: 'backend-engineer' }, project: '../app', agentLog: { layerViolationTasks: 1 } }),
    );
    const cfg = ruleConfig();
    await appendEntry(project, cfg, metrics({ taskId: 't-1', date: '2026-11-20', layerViolations: { count: 2, details: ['users.py imports UserRepository'] }, firstPassSuccess: false, fixCycles: { count: 2, fixed: ['BUG-1 null email (breaker)', 'FAIL test_users (sentinel)'] }, planApprovedFirstTry: false, planRevisions: 1 }), { fsync: false });
    await appendEntry(project, cfg, metrics({ taskId: 't-2', date: '2026-11-21', task: 'Add orders' }), { fsync: false });
  });

  it('prints the entries, trends and adaptations as JSON for the project the config names', async () => {
    const r = await teamstate(['log', '--json', '--workspace', workspace], root);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown> & { entries: { taskId: string; metrics: { fixCycles: { count: number } } }[] };
    expect(out['file']).toBe(path.join(project, '.claude/memory/agent-logs/backend-engineer.md'));
    expect(out['header']).toBe('# Backend Engineer — Agent Log\n<!-- Observations and learned patterns for this project -->\n\n');
    expect(out.entries.map((e) => [e.taskId, e.metrics.fixCycles.count])).toEqual([
      ['t-1', 2],
      ['t-2', 0],
    ]);
    expect(out['trends']).toMatchObject({ tasks: 2, fixCycles: [2, 0], firstPassRate: 0.5, approvalRate: 0.5, sentinelFirstPassRate: 1 });
    expect(out['adaptations']).toEqual([
      {
        rule: 'layer-violations',
        instruction: expect.any(String),
        reason: 'layer violations in 1 of the last 2 tasks (2026-11-20 Add users endpoint: 2 violations); rule fires at 1',
      },
    ]);
    expect(out['problems']).toEqual([]);
  });

  it('shows the same as text, each adaptation with its reason', async () => {
    const r = await teamstate(['log', '--workspace', workspace], root);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Agent log: .*backend-engineer\.md \(2 entries\)/);
    expect(r.stdout).toMatch(/2026-11-20 +Add users endpoint \(t-1\) +2 +no +no \(1 rev\) +yes +0/);
    expect(r.stdout).toContain('plan approved first try:   50% (1/2)');
    expect(r.stdout).toContain('because layer violations in 1 of the last 2 tasks');
  });

  it('takes --project without a workspace, with the default log settings', async () => {
    const r = await teamstate(['log', '--json', '--project', project], root);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ trends: { tasks: 2 }, adaptations: [] });
  });

  it('says what to do when there is no workspace config', async () => {
    const r = await teamstate(['log', '--workspace', path.join(root, 'nowhere')], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no teamstate\.json here; run `teamstate init/);
  });
});
