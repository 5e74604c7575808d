import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { SUBAGENTS } from '../workspace/config-schema.js';
import type { StepName } from '../workspace/config-schema.js';
import { stepFiles } from './step-files.js';
import { renderTemplate } from './template.js';
import type { StepRequest } from './types.js';

/** Where prompt templates come from: a workspace's overrides first, then the repo's defaults. */
export interface PromptSources {
  /** `<workspace>/prompts/<step>.md` overrides the default of that step. */
  workspaceDir?: string;
  /** The defaults; found beside the package when left out. */
  templatesDir?: string;
}

/** The repo's `templates/prompts/` (beside package.json, from the sources and the build alike). */
export function defaultTemplatesDir(): string {
  return join(packageRoot(), 'templates', 'prompts');
}

/** The template text for a step, and the file it came from. */
export async function loadTemplate(step: StepName, sources: PromptSources = {}): Promise<{ text: string; path: string }> {
  if (sources.workspaceDir) {
    const override = join(sources.workspaceDir, 'prompts', `${step}.md`);
    if (existsSync(override)) return { text: await readFile(override, 'utf8'), path: override };
  }
  const path = join(sources.templatesDir ?? defaultTemplatesDir(), `${step}.md`);
  return { text: await readFile(path, 'utf8'), path };
}

/** What a template can name: the run's context as a step sees it, plus where its files are. */
export function promptView(request: StepRequest): Record<string, unknown> {
  const { input } = request;
  const files = stepFiles(request.dir);
  return {
    step: request.step,
    agent: (SUBAGENTS as readonly string[]).includes(request.step) ? request.step : undefined,
    runId: request.runId,
    attempt: request.attempt,
    projectDir: request.projectDir,
    task: input.task,
    handoff: input.handoff,
    plan: input.plan,
    revision: input.revision,
    isRevision: input.revision > 0 || input.rejections.length > 0,
    rejections: input.rejections.map((feedback) => ({ feedback })),
    issue: input.issue,
    findings: input.findings,
    adaptations: input.adaptations,
    files: input.files,
    planMode: input.mode === 'plan',
    planFiles: input.planFiles ?? [],
    missingSections: request.missingSections ?? [],
    paths: { context: files.context, prompt: files.prompt, output: files.output },
    // A list's heading shows only when the list has items.
    hasAdaptations: input.adaptations.length > 0,
    hasRejections: input.rejections.length > 0,
    hasFiles: input.files.length > 0,
    hasMissingSections: (request.missingSections ?? []).length > 0,
  };
}

/**
 * Renders the prompt of a step from its request. A broken template is reported with the
 * file to fix.
 */
export async function renderPrompt(request: StepRequest, sources: PromptSources = {}): Promise<string> {
  const template = await loadTemplate(request.step, sources);
  try {
    return renderTemplate(template.text, promptView(request));
  } catch (e) {
    throw new Error(`${template.path}: ${(e as Error).message}; fix the template or delete it to use the default`);
  }
}
