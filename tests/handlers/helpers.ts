import { makeTemp } from '../temp.js';
import { mkdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { handlerSchema } from '../../src/workspace/config-schema.js';
import type { StepName } from '../../src/workspace/config-schema.js';
import type { CommandHandlerConfig } from '../../src/handlers/command.js';
import type { StepInput, StepRequest } from '../../src/handlers/types.js';

export const FAKE_LLM = fileURLToPath(new URL('../../scripts/fake-llm.mjs', import.meta.url));
export const fixture = (name: string) => readFile(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8');

/** A fresh temp folder with a project and a run's steps folder in it. */
export async function tempWorld(): Promise<{ root: string; project: string; steps: string }> {
  const root = await makeTemp('teamstate-handlers-');
  const project = join(root, 'project');
  const steps = join(root, 'runs', 'r1', 'steps');
  await mkdir(project, { recursive: true });
  await mkdir(steps, { recursive: true });
  return { root, project, steps };
}

export function input(over: Partial<StepInput> = {}): StepInput {
  return {
    task: { id: 'T-12', subject: 'Cancel an order', description: 'Customers can cancel pending orders.' },
    handoff: '',
    rejections: [],
    revision: 0,
    adaptations: [],
    files: [],
    ...over,
  };
}

/** A request for `step` whose folder is `<steps>/<step>-1`, as the engine would make it. */
export async function request(
  world: { project: string; steps: string },
  step: StepName,
  over: Partial<Omit<StepRequest, 'input'>> & { input?: Partial<StepInput> } = {},
): Promise<StepRequest> {
  const dir = join(world.steps, `${step}-1`);
  await mkdir(dir, { recursive: true });
  const { input: given, ...rest } = over;
  return { runId: 'r1', step, attempt: 1, dir, projectDir: world.project, signal: new AbortController().signal, ...rest, input: input(given) };
}

export function commandConfig(over: Partial<CommandHandlerConfig> & { argv: string[] }): CommandHandlerConfig {
  return handlerSchema.parse({ kind: 'command', retries: 0, backoffMs: 0, ...over }) as CommandHandlerConfig;
}

/** Records the delays it is asked to wait, and does not wait. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

/** Waits (bounded) until a file exists; the test fails on its own if it never does. */
export async function waitForFile(path: string, polls = 400): Promise<void> {
  for (let i = 0; i < polls && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 25));
}

export async function attempts(dir: string): Promise<Record<string, unknown>[]> {
  return (await readFile(join(dir, 'attempts.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
