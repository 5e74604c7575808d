import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/workspace/config.js';
import { runCli } from '../workspace/cli-helpers.js';
import { tempDir } from '../workspace/helpers.js';

describe('teamstate init --preset claude|codex|gemini', () => {
  it.each(['claude', 'codex', 'gemini'] as const)('writes a workspace whose LLM steps use the %s preset and whose checks stay built in', async (preset) => {
    const cwd = await tempDir();
    const r = await runCli(['init', 'ws', '--preset', preset], { cwd });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain(`(preset: ${preset})`);
    const config = await loadConfig(path.join(cwd, 'ws'));
    for (const step of ['plan', 'implement', 'fix', 'database-architect', 'test-generator'] as const) expect(config.steps[step]).toMatchObject({ kind: 'command', preset });
    for (const step of ['architecture-validator', 'code-reviewer', 'security-auditor'] as const) expect(config.steps[step]).toEqual({ kind: 'builtin' });
    expect(config.steps.implement).toMatchObject({ timeoutMs: 1_800_000 });
    expect(config.git).toEqual({ worktrees: true, onDone: 'keep' });
    // Codex and gemini report tokens only: the workspace starts with prices to count them.
    if (preset !== 'claude') expect(Object.keys(config.prices).length).toBeGreaterThan(0);
  });

  it('refuses a preset it does not know, naming the ones it does', async () => {
    const r = await runCli(['init', 'ws', '--preset', 'copilot'], { cwd: await tempDir() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/claude, codex, gemini/);
  });
});
