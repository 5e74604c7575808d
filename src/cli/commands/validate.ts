import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { parseMessage } from '../../protocol/parse.js';
import { loadConfig, resolveWorkspaceDir } from '../../workspace/config.js';
import type { Config } from '../../workspace/config-schema.js';
import { describeParseError, kindOf, readEntry, senderFromFileName } from '../../mailbox/folder/index.js';
import { limitsSchema } from '../../workspace/config-schema.js';
import { WorkspacePaths } from '../../workspace/paths.js';
import { DEFAULT_ENGINE_MEMBER } from '../../workspace/config-template.js';
import { contentProblem } from '../../workspace/message-rules.js';
import { checkAddresses } from '../../workspace/team.js';
import { say, sayJson, complain } from '../output.js';

interface ValidateFlags {
  workspace?: string;
  json?: boolean;
}

/** One line of `validate --json`. */
export interface Verdict {
  file: string;
  valid: boolean;
  from: string | null;
  to: string[] | null;
  type: string | null;
  priority: string | null;
  task: string | null;
  error: string | null;
}

/** Validates one file as the engine would read it: safe read, parse, and (with a config) the addresses. */
async function check(file: string, config: Config | undefined): Promise<Verdict> {
  const verdict: Verdict = { file, valid: false, from: null, to: null, type: null, priority: null, task: null, error: null };
  const st = await fs.lstat(file).catch(() => undefined);
  if (!st) return { ...verdict, error: 'no such file' };
  const name = path.basename(file);
  const maxBytes = config?.limits.maxMessageBytes ?? limitsSchema.parse({}).maxMessageBytes;
  const bytes = await readEntry({ path: file, name, where: 'new', kind: kindOf(st), size: st.size, mtimeMs: st.mtimeMs, ino: st.ino }, maxBytes);
  if (!bytes.ok) return { ...verdict, error: bytes.error };
  // As the engine's inbox reads it: a plan_approval_response naming no recipient is for the engine's member.
  const parsed = parseMessage(bytes.value, { aliases: config?.aliases ?? {}, fileName: name, defaultTo: config?.engine.member ?? DEFAULT_ENGINE_MEMBER });
  if (!parsed.ok) return { ...verdict, error: describeParseError(parsed.error) };
  const m = parsed.value;
  const found = { from: m.from ?? null, to: m.to, type: m.type, priority: m.priority, task: m.task ?? null };
  const problem = contentProblem(m);
  if (problem) return { ...verdict, ...found, error: problem };
  if (!config) {
    if (m.from === undefined) return { ...verdict, ...found, error: 'no sender: add a [FROM: name] header or name the file <sender>--<anything>' };
    return { ...verdict, ...found, valid: true };
  }
  const sender = senderFromFileName(name);
  const addresses = checkAddresses(m, config, sender !== undefined ? { sender } : {});
  if (!addresses.ok) return { ...verdict, ...found, error: addresses.error };
  return { ...verdict, ...found, from: addresses.value.from, to: addresses.value.recipients, valid: true };
}

/** Registers `teamstate validate FILE...`: exit 0 when every file is a valid message, 1 otherwise. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check message files as the engine would read them (format, size, and the team\'s names when a workspace config is found)')
    .argument('<files...>', 'message files')
    .option('--workspace <dir>', 'check senders and recipients against this workspace (default: . when ./teamstate.json exists, else ./workspace, if it has one)')
    .option('--json', 'print one {file, valid, from, to, type, priority, task, error} per file, as a JSON array')
    .action(async (files: string[], flags: ValidateFlags) => {
      const root = resolveWorkspaceDir(flags.workspace);
      // An explicit --workspace must have a config; the default one is used only when present.
      const config = flags.workspace !== undefined || existsSync(new WorkspacePaths(root).configFile) ? await loadConfig(root) : undefined;
      const verdicts: Verdict[] = [];
      for (const file of files) verdicts.push(await check(file, config));
      if (flags.json) {
        sayJson(verdicts);
      } else {
        for (const v of verdicts) {
          say(
            v.valid
              ? `ok       ${v.file}: ${v.type} from ${v.from} to ${(v.to ?? []).join(', ')} (${v.priority}${v.task !== null ? `, task ${v.task}` : ''})\n`
              : `invalid  ${v.file}: ${v.error}\n`,
          );
        }
        if (!config) complain('note: no workspace config found: senders and recipients were not checked against a team)\n');
      }
      if (verdicts.some((v) => !v.valid)) process.exitCode = 1;
    });
}
