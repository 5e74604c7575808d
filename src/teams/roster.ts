import { promises as fs } from 'node:fs';
import * as z from 'zod';
import { memberNameSchema } from '../protocol/schema.js';
import type { Config } from '../workspace/config-schema.js';
import { resolveMember } from '../workspace/team.js';

/** The part of a team's `config.json` teamstate reads (Claude Code writes it; we never do). */
const teamConfigSchema = z
  .object({
    leadAgentId: z.string().optional(),
    members: z.array(z.object({ name: z.string().min(1), agentType: z.string().optional(), backendType: z.string().optional(), tmuxPaneId: z.string().optional() }).loose()).default([]),
  })
  .loose();
type TeamConfig = z.infer<typeof teamConfigSchema>;

/** Claude Code's name of the lead (`leadAgentId` is `team-lead@<team>`). */
export const LEAD_NAME = 'team-lead';

/**
 * Who is on the team (from `<home>/teams/<team>/config.json`, read again whenever it
 * changes) and which team member plays each role of the workspace's config. Roles the
 * config doesn't map are played by the member of the same name; `team-lead` plays the
 * conductor unless `agentTeam.roles` says otherwise.
 */
export class Roster {
  private team?: TeamConfig;
  private stamp = '';
  readonly roles: Record<string, string>;

  constructor(
    private readonly file: string,
    private readonly config: Config,
    private readonly warn: (line: string) => void = () => undefined,
  ) {
    this.roles = { conductor: LEAD_NAME, ...config.agentTeam.roles };
  }

  /** Reads config.json again if it changed; true when the members may have changed. */
  async refresh(): Promise<boolean> {
    const st = await fs.stat(this.file).catch(() => undefined);
    const stamp = st ? `${st.mtimeMs}:${st.size}:${st.ino}` : 'missing';
    if (stamp === this.stamp) return false;
    if (!st) {
      this.stamp = stamp;
      const had = this.team !== undefined;
      this.team = undefined;
      return had;
    }
    const text = await fs.readFile(this.file, 'utf8').catch(() => undefined);
    if (text === undefined) return false;
    let parsed: TeamConfig;
    try {
      parsed = teamConfigSchema.parse(JSON.parse(text));
    } catch (e) {
      // Claude Code may be writing it now; the next look reads it whole. The last good roster stands.
      this.warn(`${this.file} could not be read (${(e as Error).message.split('\n')[0]}); keeping the members known before`);
      return false;
    }
    this.stamp = stamp;
    this.team = parsed;
    return true;
  }

  /** Whether the team's config.json was found. */
  get known(): boolean {
    return this.team !== undefined;
  }

  /** The team's member names, as Claude Code spells them. */
  get members(): string[] {
    return this.team?.members.map((m) => m.name) ?? [];
  }

  /** The lead's name: from `leadAgentId`, else Claude Code's fixed `team-lead`. */
  get lead(): string {
    const id = this.team?.leadAgentId;
    return id && id.includes('@') ? id.slice(0, id.indexOf('@')) : LEAD_NAME;
  }

  /** A member's entry in config.json (its backendType, pane), when listed. */
  entry(name: string): TeamConfig['members'][number] | undefined {
    return this.team?.members.find((m) => m.name === name);
  }

  /** The team member who plays `role` (a member of the workspace config). */
  memberFor(role: string): string {
    return this.roles[role] ?? role;
  }

  /** The team member's name as written in config.json, when on the team (names compare case-insensitively). */
  onTeam(name: string): string | undefined {
    const members = this.members;
    return members.find((m) => m === name) ?? members.find((m) => m.toLowerCase() === name.toLowerCase());
  }

  /**
   * The sender, as the engine knows it, of an entry from team member `name`: the role it
   * plays, the config member or alias of that name, else the name itself (lower-cased)
   * when it is a usable member name. Undefined when it is none of these.
   */
  roleOf(name: string): string | undefined {
    const mapped = Object.entries(this.roles).find(([, member]) => member.toLowerCase() === name.toLowerCase());
    if (mapped) return mapped[0];
    const lower = name.toLowerCase();
    const member = resolveMember(lower, this.config);
    if (member === undefined) return memberNameSchema.safeParse(lower).success ? lower : undefined;
    // A config member whose role another team member plays is not this one.
    return this.memberFor(member).toLowerCase() === lower || lower in this.config.aliases ? member : undefined;
  }
}
