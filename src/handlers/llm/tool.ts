import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { StepName } from '../../workspace/config-schema.js';
import type { CommandHandlerConfig } from '../command.js';
import { judgeEnd, readText } from '../step-tool.js';
import type { StepTool, TryVerdict } from '../step-tool.js';
import { tail } from '../step-files.js';
import type { StepSession } from '../types.js';
import { followLines } from './follow.js';
import type { Preset } from './presets.js';
import { PRESETS, continuePrompt, defaultAccess, sessionFor } from './presets.js';
import type { CliResult } from './result.js';
import type { PriceTable, Usage } from './usage.js';
import { costFromPrices, formatCost, sumTokens } from './usage.js';

export interface PresetDeps {
  /** @default crypto.randomUUID */
  newId?: () => string;
  prices: PriceTable;
}

/** A try's usage from what the CLI said: its own cost, else the price table's, else unknown. */
export function usageOf(result: CliResult, durationMs: number, prices: PriceTable): Usage {
  const tokens = sumTokens(result.models);
  const base = { ...tokens, turns: result.turns, durationMs };
  if (result.costUsd !== undefined) return { ...base, costUsd: result.costUsd, costFrom: 'cli' };
  if (tokens.inputTokens + tokens.outputTokens === 0) return { ...base, costUsd: 0 };
  const priced = costFromPrices(result.models, prices);
  return priced === undefined ? { ...base, costUsd: 0, costFrom: 'unknown' } : { ...base, costUsd: priced, costFrom: 'prices' };
}

/** Why a budget stops the step before it starts, or undefined while money is left. */
export function budgetStop(budget: { limitUsd: number; spentUsd: number } | undefined, stepSoFar: number): string | undefined {
  if (!budget) return undefined;
  const spent = budget.spentUsd + stepSoFar;
  if (spent < budget.limitUsd) return undefined;
  return `the run has cost ${formatCost({ costUsd: spent })} of its ${formatCost({ costUsd: budget.limitUsd })} budget (limits.maxCostUsd); raise the limit and restart the engine to retry, or complete the step by hand`;
}

/**
 * The tries of a step done by an LLM CLI preset: the argv for the step's permission, the
 * session minted before the spawn and journaled (or journaled as soon as the CLI names
 * it), a retry or a restart resuming that session with a short prompt, a stale session
 * replaced by a fresh one (journaled with why), the machine output parsed for the result,
 * the error, the session and the usage, and the run's budget kept.
 */
export function createPresetTool(config: CommandHandlerConfig, step: StepName, deps: PresetDeps): StepTool {
  const preset: Preset = PRESETS[config.preset!];
  const program = config.argv ?? preset.program;
  const mint = deps.newId ?? randomUUID;
  const access = config.access ?? defaultAccess(step);
  let session: StepSession | undefined;
  let started = false;
  let freshBecause: string | undefined;

  const note = async (request: Parameters<StepTool['plan']>[1], s: StepSession) => {
    session = s;
    await request.noteSession?.(s);
  };

  return {
    preset: preset.name,
    async plan(n, request, prompt, stepSoFar) {
      if (!started) {
        started = true;
        session = request.session?.cli === preset.name ? request.session : undefined;
      }
      const stop = budgetStop(request.budget, stepSoFar);
      if (stop) return { status: 'needs-person', reason: stop };
      const use = sessionFor(preset, session, mint);
      // Minted ids are journaled before the spawn: a crash from here on resumes this session.
      if (use && !use.resume) await note(request, { cli: preset.name, id: use.id, ...(freshBecause ? { fresh: freshBecause } : {}) });
      if (use && !use.resume) freshBecause = undefined;
      const why = n === 1 && request.attempt > 1 ? 'the engine stopped or restarted' : 'the last try failed';
      const budgetUsd = request.budget ? Math.max(0, request.budget.limitUsd - request.budget.spentUsd - stepSoFar) : undefined;
      const argv = [...program, ...preset.argv({ access, args: config.args, ...(use ? { session: use } : {}), ...(budgetUsd !== undefined && preset.name === 'claude' ? { budgetUsd } : {}), ...(config.model ? { model: config.model } : {}) })];
      return { argv, stdin: use?.resume ? continuePrompt(step, why) : prompt, ...(use ? { session: use.id } : {}) };
    },
    watch(files, request) {
      if (preset.mintsSession) return async () => {};
      // Codex names its thread in its first event: journal it while the try runs.
      return followLines(files.stdout, async (line) => {
        let event: unknown;
        try {
          event = JSON.parse(line);
        } catch {
          return;
        }
        const id = (event as { type?: string; thread_id?: unknown; session_id?: unknown }).type === 'thread.started' ? (event as { thread_id?: unknown }).thread_id : undefined;
        if (typeof id === 'string' && id !== session?.id) await note(request, { cli: preset.name, id, ...(freshBecause ? { fresh: freshBecause } : {}) });
      });
    },
    async judge(run, files, request): Promise<TryVerdict> {
      const [stdout, stderr] = [await readText(files.stdout), await readText(files.stderr)];
      const result = preset.parse(stdout, stderr, config.model);
      const usage = usageOf(result, run.durationMs, deps.prices);
      const ended = await judgeEnd(run, files, program[0]!, request.step, config.timeoutMs);
      if (result.sessionId && result.sessionId !== session?.id && !result.session) {
        await note(request, { cli: preset.name, id: result.sessionId, ...(freshBecause ? { fresh: freshBecause } : {}) });
        freshBecause = undefined;
      }
      if (ended) return { ...ended, usage };
      const name = `\`${preset.name}\``;
      if (result.session && session) {
        const stale = session.id;
        freshBecause = `${preset.name} said session ${stale} ${result.session === 'in-use' ? 'is already in use' : 'was not found'}; a fresh session was started`;
        session = undefined;
        return { outcome: { status: 'failed', reason: freshBecause }, retry: true, again: true, usage };
      }
      if (result.budgetExhausted) {
        return { outcome: { status: 'needs-person', reason: `${name} stopped at its budget (${result.error ?? 'max budget'}); the run has reached limits.maxCostUsd: raise it and restart the engine to retry, or complete the step by hand` }, retry: false, usage };
      }
      if (run.exitCode === 0 && result.ok) {
        // The output file wins, as for any command.
        const text = existsSync(files.output) ? await readFile(files.output, 'utf8') : result.text;
        return { outcome: { status: 'done', output: { text } }, retry: false, usage };
      }
      if (run.exitCode !== null && run.exitCode === config.needsPersonExitCode) {
        return { outcome: { status: 'needs-person', reason: `${name} asked for a person (exit ${run.exitCode})${result.error ? `: ${result.error}` : ''}` }, retry: false, usage };
      }
      const how = run.signal ? `was killed by ${run.signal}` : run.exitCode === 0 ? 'reported an error' : `exited with code ${run.exitCode}`;
      const said = result.error ?? tail(stderr);
      return { outcome: { status: 'failed', reason: `${name} ${how}${said ? `: ${said}` : ''}` }, retry: true, usage };
    },
  };
}
