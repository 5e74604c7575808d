import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { parseMessage } from '../../protocol/parse.js';
import { loadConfig, resolveWorkspaceDir } from '../../workspace/config.js';
import type { Config } from '../../workspace/config-schema.js';
import { describeParseError, listInboxReport, readEntry } from '../../mailbox/folder/index.js';
import type { InboxEntry } from '../../mailbox/folder/index.js';
import { looksComplete } from '../../mailbox/folder/settle.js';
import { WorkspacePaths } from '../../workspace/paths.js';
import { describeTeam, resolveMember } from '../../workspace/team.js';
import { say, sayJson } from '../output.js';

interface InboxFlags {
  workspace?: string;
  json?: boolean;
}

/** What a message file says about itself, for listing. */
interface Summary {
  from: string | null;
  type: string | null;
  priority: string | null;
  task: string | null;
  error: string | null;
  /** It shows its own end (the closing [ACTION NEEDED: …] line, or whole JSON). */
  whole: boolean;
}

async function summarize(item: { path: string; name: string; size: number; mtimeMs: number }, config: Config): Promise<Summary> {
  const none = { from: null, type: null, priority: null, task: null, whole: false };
  const { name } = item;
  // Read for display only: a file that changes while read says so.
  const entry: InboxEntry = { path: item.path, name, where: 'new', kind: 'file', size: item.size, mtimeMs: item.mtimeMs, ino: 0 };
  const bytes = await readEntry(entry, config.limits.maxMessageBytes);
  if (!bytes.ok) return { ...none, error: bytes.error };
  const m = parseMessage(bytes.value, { aliases: config.aliases, fileName: name });
  if (!m.ok) return { ...none, error: describeParseError(m.error) };
  return { from: m.value.from ?? null, type: m.value.type, priority: m.value.priority, task: m.value.task ?? null, error: null, whole: looksComplete(m.value, bytes.value) };
}

function line(name: string, s: Summary, extra = ''): string {
  const what = s.error !== null ? `unreadable: ${s.error}` : `${s.type} from ${s.from ?? '?'} (${s.priority}${s.task !== null ? `, task ${s.task}` : ''})`;
  return `  ${name}  ${what}${extra}\n`;
}

/** Registers `teamstate inbox MEMBER`: what waits, what was processed, what was rejected and why. */
export function registerInbox(program: Command): void {
  program
    .command('inbox')
    .description("show a member's inbox: new, processed, and rejected messages with the reasons")
    .argument('<member>', 'a member (or alias) of the team')
    .option('--workspace <dir>', 'workspace folder (default: . when ./teamstate.json exists, else ./workspace)')
    .option('--json', 'print it as JSON')
    .action(async (name: string, flags: InboxFlags) => {
      const root = resolveWorkspaceDir(flags.workspace);
      const config = await loadConfig(root);
      const member = resolveMember(name, config);
      if (member === undefined) throw new UserError(`unknown member "${name}"; ${describeTeam(config)}`);
      const paths = new WorkspacePaths(root);
      const report = await listInboxReport(paths, member, { now: Date.now(), settleMs: config.limits.settleMs });
      const waiting = await Promise.all(
        report.new.map(async (e) => ({ ...e, mtime: new Date(e.mtimeMs).toISOString(), ...(e.kind === 'file' ? await summarize(e, config) : { from: null, type: null, priority: null, task: null, whole: false, error: `not a regular file (${e.kind})` }) })),
      );
      const processed = await Promise.all(report.processed.map(async (e) => ({ ...e, mtime: new Date(e.mtimeMs).toISOString(), ...(await summarize(e, config)) })));
      const rejected = report.rejected.map((e) => ({ ...e, mtime: new Date(e.mtimeMs).toISOString() }));
      if (flags.json) {
        sayJson({ member, dir: paths.inbox(member).root, new: waiting, processed, rejected });
        return;
      }
      const out: string[] = [`inbox of ${member}: ${path.relative(process.cwd(), paths.inbox(member).root) || '.'}\n`];
      out.push(`new (${waiting.length}):\n`);
      for (const e of waiting) out.push(line(e.where === 'root' ? e.name : `new/${e.name}`, e, e.settled || e.whole ? '' : '  [still being written?]'));
      out.push(`processed (${processed.length}):\n`);
      for (const e of processed) out.push(line(e.name, e));
      out.push(`rejected (${rejected.length}):\n`);
      for (const e of rejected) out.push(`  ${e.name}  ${e.reason}\n`);
      say(out.join(''));
    });
}
