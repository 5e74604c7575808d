import { makeTemp } from '../temp.js';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readAgentLog } from '../../src/agentlog/index.js';
import { readRunStates } from '../../src/engine/read.js';
import { WorkspacePaths } from '../../src/workspace/paths.js';

const run = promisify(execFile);
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/bundle/main.js');

describe('teamstate demo --headless', () => {
  it('takes the task through a rejection, an approval, the sub-agents, a BUG, a FAIL and a PASS to the log entry, and exits 0', { timeout: 300_000 }, async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
    const dir = await makeTemp('teamstate-demo-test-');
    const r = await run(process.execPath, [CLI, 'demo', '--headless', '--workspace', dir, '--pace', '100'], { timeout: 280_000 });
    expect(r.stdout).toMatch(/awaitingApproval\.waiting → planning\.drafting\.running \(PLAN_DECISION from conductor\)/);
    expect(r.stdout).toMatch(/awaitingApproval\.waiting → implementing/);
    expect(r.stdout).toMatch(/verifying → fixing\.fixing\.running \(BUG from breaker\)/);
    expect(r.stdout).toMatch(/verifying → fixing\.fixing\.running \(FAIL from sentinel\)/);
    expect(r.stdout).toMatch(/verifying → logging \(PASS from sentinel\)/);
    expect(r.stdout).toMatch(/demo: done in \d+ s/);
    const [state] = await readRunStates(new WorkspacePaths(dir));
    expect(state?.snapshot.value).toBe('done');
    const log = await readAgentLog(path.join(dir, 'project'), { path: '.claude/memory/agent-logs/backend-engineer.md' });
    expect(log.entries).toHaveLength(1);
    expect(log.entries[0]!.metrics.fixCycles?.count).toBe(2);
    expect(log.entries[0]!.metrics.planApprovedFirstTry).toBe(false);
  });

  it('refuses a person as the conductor without a terminal, saying why', async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
    const r = await run(process.execPath, [CLI, 'demo', '--headless', '--conductor', 'person']).catch((e: { code: number; stderr: string }) => e);
    expect('code' in r ? r.code : 0).toBe(1);
    expect(r.stderr).toContain('--conductor person needs the terminal UI');
  });
});
