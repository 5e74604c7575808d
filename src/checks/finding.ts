import { ruleInfo } from './catalog.js';
import type { Finding } from './types.js';

/** What a finding may say beyond its rule's defaults. */
export interface Detail {
  why?: string;
  fix?: string;
  code?: string;
  /** Overrides the rule's default: conventions a project has not adopted are advisory. */
  blocking?: boolean;
}

/** Builds a finding from the rule's catalog entry and the detail given. */
export function makeFinding(rule: string, file: string, line: number, code: string, detail: Detail = {}): Finding {
  const info = ruleInfo(rule);
  return {
    rule,
    agent: info.agent,
    severity: info.severity,
    blocking: detail.blocking ?? info.blocking,
    file,
    line,
    code: detail.code ?? code,
    why: detail.why ?? info.why,
    fix: detail.fix ?? info.fix,
  };
}
