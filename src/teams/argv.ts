/** What Claude Code's spawn argv says about the teammate (../shared/reference/claude-code-teams.md §1.8). */
export interface TeammateArgs {
  /** `--agent-name`, else the part of `--agent-id` before `@`. */
  name?: string;
  /** `--team-name`, else the part of `--agent-id` after `@`. */
  team?: string;
  agentId?: string;
  color?: string;
  parentSessionId?: string;
  planModeRequired: boolean;
  agentType?: string;
  permissionMode?: string;
  model?: string;
}

const VALUES: Record<string, keyof TeammateArgs> = {
  '--agent-id': 'agentId',
  '--agent-name': 'name',
  '--team-name': 'team',
  '--agent-color': 'color',
  '--parent-session-id': 'parentSessionId',
  '--agent-type': 'agentType',
  '--permission-mode': 'permissionMode',
  '--model': 'model',
};

/**
 * Reads the flags teamstate needs from Claude Code's teammate argv, `--flag value` or
 * `--flag=value`. Every other argument is left alone (it is passed on untouched when the
 * name is not one teamstate runs), so flags Claude Code adds later do no harm.
 */
export function parseTeammateArgv(argv: readonly string[]): TeammateArgs {
  const out: TeammateArgs = { planModeRequired: false };
  const set = (field: keyof TeammateArgs, value: string) => {
    (out as unknown as Record<string, unknown>)[field] = value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--plan-mode-required') {
      out.planModeRequired = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const field = VALUES[flag];
    if (!field) continue;
    if (eq > 0) set(field, arg.slice(eq + 1));
    else if (i + 1 < argv.length) set(field, argv[++i]!);
  }
  const at = out.agentId?.indexOf('@') ?? -1;
  if (out.agentId && at > 0) {
    out.name ??= out.agentId.slice(0, at);
    out.team ??= out.agentId.slice(at + 1);
  }
  return out;
}
