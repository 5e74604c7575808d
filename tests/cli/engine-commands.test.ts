import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScriptedTeam } from '../../src/sim/scripted-team.js';
import type { WorkspacePaths } from '../../src/workspace/paths.js';
import { tempWorkspace } from '../engine/helpers.js';
import { runCli } from '../workspace/cli-helpers.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/bundle/main.js');

/** `teamstate start --headless` in a child; resolves once it printed READY. */
function startHeadless(dir: string): { child: ChildProcess; out: () => string; ready: Promise<void>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [MAIN, 'start', '--headless', '--workspace', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const t = setInterval(() => {
      if (out.includes('READY')) {
        clearInterval(t);
        resolve();
      }
    }, 20);
    void exit.then(() => {
      clearInterval(t);
      reject(new Error(`exited before READY: ${out}`));
    });
  });
  return { child, out: () => out, ready, exit };
}

async function finishedScenario(paths: WorkspacePaths, tasks: string[], atStage?: { stage: number; then: () => Promise<void> }): Promise<void> {
  const team = new ScriptedTeam({ paths, tasks, conductor: 'scripted' });
  for (let i = 0; !(await team.tick()); i++) {
    if (i > 3000) throw new Error('the scenario did not finish');
    if (atStage && team.progress()[0]!.stage >= atStage.stage) {
      await atStage.then();
      atStage = undefined;
    }
    await new Promise((r) => setTimeout(r, 30));
  }
}

describe('teamstate start --headless', () => {
  it('should print READY, log each transition, refuse a second engine naming the first pid, and stop cleanly on SIGTERM', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.project = '.';
      c.scanIntervalMs = 100;
    });
    const first = startHeadless(paths.root);
    await first.ready;
    const second = await runCli(['start', '--headless', '--workspace', paths.root], { cwd: paths.root });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`pid ${first.child.pid}`);

    await finishedScenario(paths, ['t1']);
    expect(first.out()).toMatch(/t1: idle → readingLog \(HANDOFF from analyst\)/);
    expect(first.out()).toMatch(/t1: logging → done/);
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    expect(first.out()).toContain('stopped');
    await expect(fs.access(paths.lockFile)).rejects.toThrow();
  });
});

describe('teamstate runs, show and replay', () => {
  it('should list runs, show a timeline with out-of-place messages, and replay a journal to the same states', async () => {
    const paths = await tempWorkspace('instant', (c) => {
      c.project = '.';
      c.scanIntervalMs = 100;
    });
    const engine = startHeadless(paths.root);
    await engine.ready;
    // While the plan waits for the conductor, breaker sends a PASS: out of place.
    await finishedScenario(paths, ['t2'], {
      stage: 2,
      then: () => fs.writeFile(path.join(paths.inbox('backend-engineer').new, 'breaker--early.md'), '[PRIORITY: LOW]\n[TYPE: PASS]\n[TO: builder]\n[TASK: t2]\n\nnot my place\n\n[ACTION NEEDED: none]\n'),
    });
    await fs.writeFile(path.join(paths.inbox('backend-engineer').new, 'breaker--late.md'), '[PRIORITY: LOW]\n[TYPE: PASS]\n[TO: builder]\n[TASK: t2]\n\nnot my place\n\n[ACTION NEEDED: none]\n');
    for (let i = 0; i < 300 && (await fs.readdir(paths.inbox('backend-engineer').new)).length > 0; i++) await new Promise((r) => setTimeout(r, 30));
    engine.child.kill('SIGTERM');
    await engine.exit;

    const runs = await runCli(['runs', '--workspace', paths.root, '--json'], { cwd: paths.root });
    expect(runs.code).toBe(0);
    expect(JSON.parse(runs.stdout)).toMatchObject([{ runId: 't2', state: 'done', fixCycles: 2, finished: true }]);
    const table = await runCli(['runs', '--workspace', paths.root], { cwd: paths.root });
    expect(table.stdout).toMatch(/RUN\s+TASK\s+STATE\s+WAITS ON/);

    const show = await runCli(['show', 't2', '--workspace', paths.root], { cwd: paths.root });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/← PASS LOW breaker: not my place {2}\[out of place: PASS is only accepted from sentinel, not from breaker\]/);
    expect(show.stdout).toMatch(/→ PLAN HIGH conductor/);
    const json = JSON.parse((await runCli(['show', 't2', '--json', '--workspace', paths.root], { cwd: paths.root })).stdout);
    const oop = json.timeline.filter((e: { outOfPlace?: string }) => e.outOfPlace).map((e: { outOfPlace: string }) => e.outOfPlace);
    expect(oop).toEqual(['PASS is only accepted from sentinel, not from breaker', 'the run has ended (done); PASS changes nothing']);

    const ok = await runCli(['replay', 't2', '--workspace', paths.root], { cwd: paths.root });
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toMatch(/every state matches/);

    // Tamper with what one record says changed: replay names the step.
    const journal = paths.run('t2').journal;
    const lines = (await fs.readFile(journal, 'utf8')).split('\n');
    const i = lines.findIndex((l) => l.includes('"kind":"event"') && l.includes('PLAN_DECISION'));
    expect(i).toBeGreaterThan(0);
    const { encodeFrame, decodeFrame } = await import('../../src/store/frame.js');
    const record = decodeFrame(Buffer.from(lines[i]!)) as { ok: true; value: { seq: number; delta: { context?: Record<string, unknown> } } };
    record.value.delta.context = { ...record.value.delta.context, revision: 7 };
    lines[i] = encodeFrame(record.value).replace(/\n$/, '');
    await fs.writeFile(journal, lines.join('\n'));
    await fs.rm(paths.run('t2').snapshot, { force: true });
    const diverged = await runCli(['replay', 't2', '--workspace', paths.root], { cwd: paths.root });
    expect(diverged.code).toBe(1);
    expect(diverged.stderr).toMatch(new RegExp(`diverges at step ${record.value.seq} \\(PLAN_DECISION\\): what changed differs`));
  });

  it('should say what to do for a run that does not exist', async () => {
    const paths = await tempWorkspace('instant');
    const r = await runCli(['show', 'nope', '--workspace', paths.root], { cwd: paths.root });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no run "nope".*teamstate runs/);
  });
});
