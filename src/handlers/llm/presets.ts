import type { HandlerConfig, StepName } from '../../workspace/config-schema.js';
import type { StepSession } from '../types.js';
import { claudeLiveLine, parseClaude } from './claude.js';
import { codexLiveLine, parseCodex } from './codex.js';
import { parseGemini } from './gemini.js';
import type { CliResult } from './result.js';

export type PresetName = NonNullable<Extract<HandlerConfig, { kind: 'command' }>['preset']>;
export type Access = 'read' | 'write';

/** Plan and the reviewing sub-agents read; implement, fix and test-generator write. */
export function defaultAccess(step: StepName): Access {
  return step === 'implement' || step === 'fix' || step === 'test-generator' ? 'write' : 'read';
}

/** What one try of a preset needs to know to build its argv. */
export interface PresetCall {
  access: Access;
  /** The session to use: a new one with this id (claude mints ids), or one to resume. */
  session?: { id: string; resume: boolean };
  /** USD the try may still spend (claude's --max-budget-usd). */
  budgetUsd?: number;
  model?: string;
  /** Flags from the config, after the preset's own. */
  args: readonly string[];
}

/** One LLM CLI: how to call it, how to read what it prints. */
export interface Preset {
  name: PresetName;
  program: string[];
  /** Whether the session id is chosen before the spawn (claude) or named by the CLI (codex, gemini). */
  mintsSession: boolean;
  argv(call: PresetCall): string[];
  parse(stdout: string, stderr: string, model?: string): CliResult;
  /** A person's line for one line of live output, when the output is a stream. */
  liveLine?(event: unknown): string | undefined;
}

const claude: Preset = {
  name: 'claude',
  program: ['claude'],
  mintsSession: true,
  argv: (c) => [
    '-p',
    // stream-json needs --verbose with -p; the parser reads the stream, an object or an array.
    '--output-format',
    'stream-json',
    '--verbose',
    '--permission-mode',
    c.access === 'read' ? 'plan' : 'acceptEdits',
    ...(c.model ? ['--model', c.model] : []),
    ...(c.session ? [c.session.resume ? '--resume' : '--session-id', c.session.id] : []),
    ...(c.budgetUsd !== undefined ? ['--max-budget-usd', c.budgetUsd.toFixed(4)] : []),
    ...c.args,
  ],
  parse: (out, err) => parseClaude(out, err),
  liveLine: claudeLiveLine,
};

const codex: Preset = {
  name: 'codex',
  program: ['codex'],
  mintsSession: false,
  argv: (c) => {
    const sandbox = c.access === 'read' ? 'read-only' : 'workspace-write';
    const common = ['--json', '--skip-git-repo-check', ...(c.model ? ['-m', c.model] : [])];
    // `exec resume` takes no --sandbox: the mode goes as a config value, and flags are passed again.
    if (c.session?.resume) return ['exec', ...common, '-c', `sandbox_mode="${sandbox}"`, ...c.args, 'resume', c.session.id, '-'];
    return ['exec', ...common, '--sandbox', sandbox, ...c.args, '-'];
  },
  parse: (out, err, model) => parseCodex(out, err, model),
  liveLine: codexLiveLine,
};

const gemini: Preset = {
  name: 'gemini',
  program: ['gemini'],
  mintsSession: false,
  argv: (c) => [
    '--output-format',
    'json',
    '--approval-mode',
    c.access === 'read' ? 'plan' : 'auto_edit',
    ...(c.model ? ['-m', c.model] : []),
    ...(c.session?.resume ? ['--resume', c.session.id] : []),
    ...c.args,
    // The prompt comes on stdin; gemini puts stdin before the -p text.
    '-p',
    'Do what the text above asks; answer in the format it gives.',
  ],
  parse: (out, err) => parseGemini(out, err),
};

export const PRESETS: Record<PresetName, Preset> = { claude, codex, gemini };

/** The prompt a resumed session gets instead of the whole step prompt again. */
export function continuePrompt(step: StepName, why: string): string {
  return [
    `You were interrupted (${why}) while doing the ${step} step of this session.`,
    'Continue where you left off: finish the work, then give the final answer in the format the first message asked for.',
    '',
  ].join('\n');
}

/** The session a try uses, given the one journaled before and how the preset names sessions. */
export function sessionFor(preset: Preset, known: StepSession | undefined, mint: () => string): { id: string; resume: boolean } | undefined {
  if (known && known.cli === preset.name) return { id: known.id, resume: true };
  return preset.mintsSession ? { id: mint(), resume: false } : undefined;
}
