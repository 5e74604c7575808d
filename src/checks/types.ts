import type { ChecksConfig } from '../workspace/config-schema.js';

/** The sub-agents whose checks teamstate runs itself. */
export const CHECK_AGENTS = ['architecture-validator', 'code-reviewer', 'security-auditor'] as const;
export type CheckAgent = (typeof CHECK_AGENTS)[number];

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One broken rule at one place. */
export interface Finding {
  rule: string;
  agent: CheckAgent;
  severity: Severity;
  /** Blocking findings send the run back to implementing. */
  blocking: boolean;
  /** Relative to the project, with `/` separators. */
  file: string;
  /** 1-based; 0 when the file does not exist yet (a planned file). */
  line: number;
  /** The offending source line (trimmed), or the planned path. */
  code: string;
  why: string;
  fix: string;
}

/** The layer folders a project uses, relative to the project, `/`-separated. */
export interface Layout {
  /** The package folder that holds the layers ('' for the project itself). */
  root: string;
  endpoints: string[];
  services: string[];
  repositories: string[];
  models: string[];
  schemas: string[];
  /** Whether each list came from the config or was found on disk. */
  from: 'config' | 'found';
}

export type Layer = 'endpoints' | 'services' | 'repositories' | 'models' | 'schemas';
export const LAYERS: readonly Layer[] = ['endpoints', 'services', 'repositories', 'models', 'schemas'];

export interface CheckResult {
  findings: Finding[];
  filesChecked: number;
  /** Files the parser could not read whole (rules still ran on what it could). */
  unparsable: { file: string; line: number }[];
  layout: Layout;
  /** Rules that ran (after --rule, --agent and the config's disabled list). */
  rules: string[];
  /** Rules the config switched off, with its reasons. */
  disabled: { rule: string; reason: string }[];
  /** Things a person should know that are not findings (e.g. an unknown rule in the config). */
  notes: string[];
}

/** Dependencies declared when a run began: per file, its hash and its parsed entries. */
export interface DependencyBaseline {
  files: Record<string, { sha256: string; deps: Record<string, string> }>;
}

export interface CheckOptions {
  /** Only these agents' rules. */
  agents?: CheckAgent[];
  /** Only these rules. */
  rules?: string[];
  /** Only these files (relative to the project or absolute); the layout is still found from all. */
  files?: string[];
  config?: ChecksConfig;
  /** When given, dependency files are compared with it. */
  baseline?: DependencyBaseline;
  /** Dependency names the conductor approved during the run. */
  approvedDependencies?: string[];
  /** Files read at once. @default 16 */
  concurrency?: number;
}
