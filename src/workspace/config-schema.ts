import * as z from 'zod';
import { memberNameSchema } from '../protocol/schema.js';

import { STEPS, SUBAGENTS } from '../../machines/backend-engineer/steps.js';
import type { StepName, Subagent } from '../../machines/backend-engineer/steps.js';

/** Steps whose work a handler does (docs/DESIGN.md §5), as the machine names them. */
export { STEPS, SUBAGENTS };
export type { StepName, Subagent };

const ms = z.number().int().nonnegative();

/** How one step's work is done. */
export const handlerSchema = z.discriminatedUnion('kind', [
  // Strict, like the rest of the config: a typo such as "retrys" is refused, not ignored.
  z.strictObject({ kind: z.literal('instant') }),
  z.strictObject({
    kind: z.literal('command'),
    /** An LLM CLI whose program, flags and output parser are known (see src/handlers/llm/presets.ts). */
    preset: z.enum(['claude', 'codex', 'gemini']).optional(),
    /** The program and its arguments; with a preset, only the program (e.g. ["npx", "@openai/codex"]). */
    argv: z.array(z.string().min(1)).min(1).optional(),
    /** With a preset: flags added after the preset's own (a repeated flag wins on CLIs that take the last). */
    args: z.array(z.string()).default([]),
    /** With a preset: the model to ask for (also the price table's key when the CLI names none). */
    model: z.string().optional(),
    /** With a preset: overrides the step's permission (read for plan and reviewers, write for the rest). */
    access: z.enum(['read', 'write']).optional(),
    timeoutMs: ms.default(15 * 60_000),
    retries: z.number().int().min(0).max(10).default(1),
    backoffMs: ms.default(2_000),
    needsPersonExitCode: z.number().int().min(1).max(255).optional(),
    /** What a crash mid-step does on restart: run it again, or hand it to a person. */
    onInterrupt: z.enum(['rerun', 'surface']).default('rerun'),
    env: z.record(z.string(), z.string()).default({}),
  }),
  z.strictObject({ kind: z.literal('builtin'), name: z.string().optional() }),
  z.strictObject({ kind: z.literal('manual') }),
]);
export type HandlerConfig = z.infer<typeof handlerSchema>;

export const limitsSchema = z.object({
  /** Revisions of a rejected plan before the run escalates to a person. */
  planRevisions: z.number().int().min(0).default(3),
  /** Fix cycles (BUG or FAIL fixed) before escalating to the conductor at CRITICAL. */
  fixCycles: z.number().int().min(1).default(5),
  /** A plan waiting this long for the conductor gets a reminder. */
  approvalReminderMs: ms.default(30 * 60_000),
  /** ...and this long (from sending) escalates to a person. */
  approvalEscalateMs: ms.default(2 * 60 * 60_000),
  /** Times sub-agent findings may send the run back to implementing. */
  implementRounds: z.number().int().min(1).default(3),
  /** Largest message file accepted, in bytes. */
  maxMessageBytes: z.number().int().positive().default(1024 * 1024),
  /**
   * A message file that does not look whole yet (no closing [ACTION NEEDED: …] line, not
   * whole JSON, or not parsing) is judged only once unchanged this long: writers that write
   * in pieces pause up to 2 s between them.
   */
  settleMs: z.number().int().min(0).default(3_000),
  /** What a run may cost (USD, as the CLIs report or the price table computes); over it, the run waits for a person. */
  maxCostUsd: z.number().positive().optional(),
});
export type Limits = z.infer<typeof limitsSchema>;

export const agentLogSchema = z.object({
  /** The log file, relative to the project. */
  path: z.string().default('.claude/memory/agent-logs/backend-engineer.md'),
  /** How many of the latest entries the rules look at. */
  window: z.number().int().min(1).default(5),
  /** Layer violations in this many of the window's tasks: validate before implementing too. */
  layerViolationTasks: z.number().int().min(1).default(2),
  /** Injection findings in this many tasks: add sanitization proactively. */
  injectionTasks: z.number().int().min(1).default(2),
  /** Plans not approved first try in this many tasks: plans include more detail. */
  rejectedPlanTasks: z.number().int().min(1).default(2),
  /** The same breaker bug class in this many tasks: address it proactively. */
  repeatedBugClassTasks: z.number().int().min(1).default(2),
});
export type AgentLogConfig = z.infer<typeof agentLogSchema>;

export const checksSchema = z.object({
  /** Folders (or single files, `crud.py`) a project uses for its layers, when not the usual ones. */
  layout: z
    .object({
      root: z.string().optional(),
      endpoints: z.array(z.string()).optional(),
      services: z.array(z.string()).optional(),
      repositories: z.array(z.string()).optional(),
      models: z.array(z.string()).optional(),
      schemas: z.array(z.string()).optional(),
    })
    .default({}),
  /** Rules switched off, each with the reason why. */
  disabled: z.array(z.object({ rule: z.string(), reason: z.string().min(1) })).default([]),
  /**
   * The seed's naming and envelope conventions: `enforce` (blocking), `advise` (reported,
   * not blocking), or `auto`: enforced where the project has adopted them, advised elsewhere.
   */
  conventions: z
    .object({ naming: z.enum(['auto', 'enforce', 'advise']).optional(), envelope: z.enum(['auto', 'enforce', 'advise']).optional() })
    .optional(),
});
export type ChecksConfig = z.infer<typeof checksSchema>;

/** USD per million tokens; `cached` (tokens read from a prompt cache) defaults to `input`. */
export const priceSchema = z
  .object({
    input: z.number().nonnegative(),
    output: z.number().nonnegative(),
    cached: z.number().nonnegative().optional(),
  })
  .strict();
export type Price = z.infer<typeof priceSchema>;

/** Git isolation: each run in its own worktree and branch, when the project is a git repository. */
export const gitSchema = z
  .object({
    /** Off: every run works in the project's own checkout, as without git. */
    worktrees: z.boolean().default(true),
    /** Where the worktrees go, relative to the project; default `.teamstate/worktrees`. */
    dir: z.string().optional(),
    /** When a run is done: leave the branch as it is for the conductor, or commit the work with the task as the message (a commit git refuses leaves the work in the worktree, and the run says so: src/handlers/git/commit.ts). */
    onDone: z.enum(['keep', 'commit']).default('keep'),
  })
  .strict();
export type GitConfig = z.infer<typeof gitSchema>;

/** Defaults for steps the config leaves out: the engine drafts and checks by itself, people implement. */
export const DEFAULT_STEPS: Record<StepName, HandlerConfig> = {
  plan: { kind: 'builtin' },
  implement: { kind: 'manual' },
  fix: { kind: 'manual' },
  'architecture-validator': { kind: 'builtin' },
  'database-architect': { kind: 'manual' },
  'code-reviewer': { kind: 'builtin' },
  'security-auditor': { kind: 'builtin' },
  'test-generator': { kind: 'manual' },
};

const stepsSchema = z
  .object({
    plan: handlerSchema.optional(),
    implement: handlerSchema.optional(),
    fix: handlerSchema.optional(),
    'architecture-validator': handlerSchema.optional(),
    'database-architect': handlerSchema.optional(),
    'code-reviewer': handlerSchema.optional(),
    'security-auditor': handlerSchema.optional(),
    'test-generator': handlerSchema.optional(),
  })
  .strict()
  .transform((given) => ({ ...DEFAULT_STEPS, ...stripUndefined(given) }) as Record<StepName, HandlerConfig>);

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Running as a Claude Code agent team's teammate (`teamstate-teammate`, src/teams). */
export const agentTeamSchema = z.object({
  /**
   * Which team member plays each of this config's members (role → the name in the team's
   * config.json). Roles left out are played by the member of the same name, except the
   * conductor, played by Claude Code's `team-lead`.
   */
  roles: z.record(memberNameSchema, z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a Claude Code agent name: letters, digits, - and _')).default({}),
});
export type AgentTeamConfig = z.infer<typeof agentTeamSchema>;

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    /** Every member of the team; each has an inbox. */
    members: z.array(memberNameSchema).min(2),
    /** The member this engine runs, and the machine it runs for it. */
    engine: z
      .object({
        member: memberNameSchema,
        machine: z.string().default('backend-engineer'),
      })
      .strict(),
    /** Other names peers use for a member, e.g. builder → backend-engineer. */
    aliases: z.record(memberNameSchema, memberNameSchema).default({}),
    /** Who decides on plans: the conductor member's messages, or a person at the UI/CLI. */
    conductor: z.enum(['member', 'person']).default('member'),
    /** The project under work, relative to the workspace; default: the workspace's project/ folder (see workspace/project.ts). */
    project: z.string().optional(),
    /** The handler of each step; steps left out use DEFAULT_STEPS. */
    steps: stepsSchema.prefault({}),
    limits: limitsSchema.strict().prefault({}),
    agentLog: agentLogSchema.strict().prefault({}),
    checks: checksSchema.prefault({}),
    agentTeam: agentTeamSchema.strict().prefault({}),
    /** USD per million tokens by model (or model-name prefix), for CLIs that report no cost. */
    prices: z.record(z.string(), priceSchema).default({}),
    git: gitSchema.prefault({}),
    /** The inbox is scanned this often besides watcher wake-ups (chokidar can miss events). */
    scanIntervalMs: z.number().int().min(50).default(1000),
    /** fsync journal writes and deliveries (group-committed). Off only for throwaway demos. */
    fsync: z.boolean().default(true),
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const [step, h] of Object.entries(c.steps)) {
      if (h.kind === 'command' && !h.argv && !h.preset) {
        ctx.addIssue({ code: 'custom', path: ['steps', step], message: 'a command step needs "argv" (the program and its arguments) or "preset" ("claude", "codex" or "gemini")' });
      }
    }
    const members = new Set(c.members);
    if (!members.has(c.engine.member)) {
      ctx.addIssue({ code: 'custom', path: ['engine', 'member'], message: `"${c.engine.member}" is not one of members (${c.members.join(', ')})` });
    }
    for (const [alias, target] of Object.entries(c.aliases)) {
      if (!members.has(target)) {
        ctx.addIssue({ code: 'custom', path: ['aliases', alias], message: `"${target}" is not one of members (${c.members.join(', ')})` });
      }
      if (members.has(alias)) {
        ctx.addIssue({ code: 'custom', path: ['aliases', alias], message: `"${alias}" is already a member's name; an alias must be a new name` });
      }
    }
    for (const role of Object.keys(c.agentTeam.roles)) {
      if (!members.has(role)) ctx.addIssue({ code: 'custom', path: ['agentTeam', 'roles', role], message: `"${role}" is not one of members (${c.members.join(', ')})` });
    }
  });

/** A validated config, with every default filled in. */
export type Config = z.infer<typeof configSchema>;
/** What a config file may hold before defaults. */
export type ConfigInput = z.input<typeof configSchema>;
