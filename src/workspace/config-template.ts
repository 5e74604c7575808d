import { DEFAULT_STEPS, STEPS, agentLogSchema, limitsSchema } from './config-schema.js';
import type { HandlerConfig } from './config-schema.js';

/** Which steps a new workspace's config starts with: the defaults, all instant, or an LLM CLI doing the work. */
export type Preset = 'default' | 'instant' | LlmPreset;
export type LlmPreset = 'claude' | 'codex' | 'gemini';
export const PRESETS: readonly Preset[] = ['default', 'instant', 'claude', 'codex', 'gemini'];

/** With an LLM preset, the CLI does these steps; the deterministic checks stay built in. */
const LLM_STEPS = new Set<string>(['plan', 'implement', 'fix', 'database-architect', 'test-generator']);

/** Prices (USD per million tokens) a new workspace starts with for CLIs that report no cost; check them against your plan. */
const STARTER_PRICES: Partial<Record<LlmPreset, Record<string, { input: number; output: number; cached: number }>>> = {
  codex: { codex: { input: 1.25, output: 10, cached: 0.125 }, 'gpt-5': { input: 1.25, output: 10, cached: 0.125 } },
  gemini: { 'gemini-2.5-pro': { input: 1.25, output: 10, cached: 0.31 }, 'gemini-2.5-flash': { input: 0.3, output: 2.5, cached: 0.075 } },
};

function handlerFor(preset: Preset, step: (typeof STEPS)[number]): HandlerConfig {
  if (preset === 'instant') return { kind: 'instant' };
  if (preset === 'default' || !LLM_STEPS.has(step)) return DEFAULT_STEPS[step];
  const long = step === 'implement' || step === 'fix';
  return { kind: 'command', preset, ...(long ? { timeoutMs: 1_800_000 } : {}) } as HandlerConfig;
}

/** The team of the reference definition (docs/DESIGN.md §1). */
export const DEFAULT_MEMBERS = ['analyst', 'conductor', 'backend-engineer', 'breaker', 'sentinel', 'librarian'] as const;
export const DEFAULT_ENGINE_MEMBER = 'backend-engineer';
/** Peers still call the backend-engineer by its older role name. */
export const DEFAULT_ALIASES: Record<string, string> = { builder: 'backend-engineer' };

const STEP_NOTES: Record<(typeof STEPS)[number], string> = {
  plan: 'drafts the plan from the handoff',
  implement: 'writes the code of an approved plan',
  fix: "fixes each breaker BUG and sentinel FAIL",
  'architecture-validator': 'checks the plan and the code against the layer rules',
  'database-architect': 'reviews schema changes and migrations',
  'code-reviewer': 'reviews the change',
  'security-auditor': 'looks for injection, auth and secret problems',
  'test-generator': 'writes the tests',
};

/** Compact JSON with a space after colons and commas: `{ "kind": "builtin" }`. */
const j = (v: unknown): string => JSON.stringify(v, null, 1).replace(/\n\s*/g, ' ');

/** `text` with `// comment` aligned after it. */
const row = (text: string, comment: string, width = 36): string => `${text.padEnd(width)} // ${comment}`;

function stepsBlock(preset: Preset): string {
  const lines = STEPS.map((step, i) => {
    const handler = handlerFor(preset, step);
    const comma = i < STEPS.length - 1 ? ',' : '';
    return row(`    ${j(step)}: ${j(handler)}${comma}`, STEP_NOTES[step], 58);
  });
  return lines.join('\n');
}

/**
 * The text of a new `teamstate.json`: JSON with `//` comments on every field. Its values
 * are the schema's defaults (so the file documents them), the reference team, and, for
 * the `instant` preset, every step done at once by the `instant` handler (tests, demos,
 * benchmarks).
 */
export function configTemplate(preset: Preset = 'default', opts: { project?: string } = {}): string {
  const limits = limitsSchema.parse({});
  const log = agentLogSchema.parse({});
  return `// teamstate workspace config. JSON with comments; \`teamstate init\` wrote it.
// Only members and engine are required. Fields left out take their defaults, which are the
// values shown here for ${preset === 'default' ? 'steps, ' : ''}limits, agentLog, checks, scanIntervalMs and fsync.${
    preset === 'instant'
      ? '\n// Preset "instant": every step is done at once with an empty result (tests, demos, benchmarks).'
      : preset !== 'default'
        ? `\n// Preset "${preset}": ${preset} does plan, implement, fix, database-architect and test-generator; the checks stay built in.`
        : ''
  }
{
  // Every member of the team. Each has an inbox: inboxes/<member>/{new,cur,tmp,rejected}.
  // Names: lower-case letters, digits, - and _.
  "members": ${j([...DEFAULT_MEMBERS])},

  // The member this engine runs, and the machine (in machines/) that runs it.
  "engine": { "member": ${j(DEFAULT_ENGINE_MEMBER)}, "machine": "backend-engineer" },

  // Other names peers use for a member (alias → member). An alias may not be a member's name.
  "aliases": ${j(DEFAULT_ALIASES)},

  // Who approves or rejects plans: "member" (the conductor's messages) or "person" (you, at the UI or CLI).
  "conductor": "member",

  // As a Claude Code agent team's teammate (teamstate-teammate): which team member plays
  // each member here. Left out: the conductor is Claude Code's lead, "team-lead", and every
  // other member is the team member of the same name. For example:
  // "agentTeam": { "roles": { "conductor": "team-lead", "sentinel": "qa" } },

  // The project under work (your repository), relative to this folder. The steps run in it and
  // the agent log is written into it. Left out: this workspace's own project/ folder (created
  // empty), never the directory you start teamstate in.
  ${opts.project !== undefined ? `"project": ${j(opts.project)},` : '// "project": "../my-app",'}

  // How each step's work is done:
  //   {"kind": "builtin"}  the engine does it itself (drafts, deterministic checks)
  //   {"kind": "manual"}   a person does it and marks it done (UI or \`teamstate complete\`)
  //   {"kind": "instant"}  done at once with an empty result (tests, demos, benchmarks)
  //   {"kind": "command", "argv": [...]}  runs a program (no shell) in the project folder with the
  //       prompt on stdin; its stdout is the result. Options: "timeoutMs", "retries", "backoffMs",
  //       "needsPersonExitCode", "onInterrupt" ("rerun" | "surface"), "env".
  //   {"kind": "command", "preset": "claude" | "codex" | "gemini"}  the LLM CLI with the right flags:
  //       its JSON output is read for the result, errors, session, tokens and cost; the session is
  //       resumed after a crash or a failed try. Plan and the reviewers get read-only permission,
  //       implement, fix and test-generator may write. Also: "argv" (the program, e.g. ["npx",
  //       "@openai/codex"]), "args" (more flags, after the preset's), "model", "access" ("read" | "write").
  // For example, to have Claude Code implement and fix:
  //   "implement": {"kind": "command", "preset": "claude", "timeoutMs": 1800000},
  //   "fix": {"kind": "command", "preset": "claude", "args": ["--model", "opus"]},
  "steps": {
${stepsBlock(preset)}
  },

  "limits": {
${row(`    "planRevisions": ${limits.planRevisions},`, 'rejected plans revised before a person is asked')}
${row(`    "fixCycles": ${limits.fixCycles},`, 'BUG/FAIL fixes before escalating to the conductor at CRITICAL')}
${row(`    "approvalReminderMs": ${limits.approvalReminderMs},`, 'a plan waiting this long gets a reminder')}
${row(`    "approvalEscalateMs": ${limits.approvalEscalateMs},`, '...and this long escalates to a person')}
${row(`    "implementRounds": ${limits.implementRounds},`, 'times sub-agent findings may send the run back to implementing')}
${row(`    "maxMessageBytes": ${limits.maxMessageBytes},`, 'larger message files are rejected unread')}
${row(`    "settleMs": ${limits.settleMs}`, 'a message not yet whole is judged once unchanged this long')}
${row(`    // "maxCostUsd": 5`, 'a run costing more waits for a person (claude also gets --max-budget-usd)')}
  },

  // USD per million tokens, by model or model-name prefix, for CLIs that report tokens but no cost
  // (codex, gemini). Codex names no model in its output: its tokens are priced under the step's
  // "model", else under "codex". A model without a price shows its cost as "?".
  "prices": ${j(preset !== 'default' && preset !== 'instant' ? (STARTER_PRICES[preset] ?? {}) : {})},

  // In a git project each run works in its own worktree on branch teamstate/<run>, from the commit
  // the project was at when the run began. "dir": where (relative to the project; default
  // .teamstate/worktrees). "onDone": "keep" leaves the work for the conductor to commit and merge,
  // "commit" commits it with the task as the message (one git refuses, say by a hook, leaves the work in the
  // worktree, and \`teamstate show RUN\` says why). \`teamstate worktrees --prune\` removes those of finished runs.
  "git": { "worktrees": true, "onDone": "keep" },

  // The agent log read before a task and appended after it, and the "adapt your approach" rules.
  "agentLog": {
${row(`    "path": ${j(log.path)},`, 'relative to the project')}
${row(`    "window": ${log.window},`, 'latest entries the rules look at')}
${row(`    "layerViolationTasks": ${log.layerViolationTasks},`, 'layer violations in this many: validate before implementing too')}
${row(`    "injectionTasks": ${log.injectionTasks},`, 'injection findings in this many: add sanitization proactively')}
${row(`    "rejectedPlanTasks": ${log.rejectedPlanTasks},`, 'plans not approved first try in this many: more detailed plans')}
${row(`    "repeatedBugClassTasks": ${log.repeatedBugClassTasks}`, 'the same breaker bug class in this many: address it up front')}
  },

  // The built-in checks of the enforced rules.
  "checks": {
    // Where the project keeps its layers, when not in the usual folders, e.g.
    // "layout": {"root": "app", "endpoints": ["api/v1/endpoints"], "services": ["services"]},
    "layout": {},
    // Rules switched off, each with the reason, e.g. [{"rule": "no-raw-sql", "reason": "legacy module"}]
    "disabled": []
  },

  // The inbox is scanned this often (ms) besides the watcher's wake-ups.
  "scanIntervalMs": 1000,

  // fsync journal writes and deliveries. Turn off only for throwaway demos.
  "fsync": true
}
`;
}
