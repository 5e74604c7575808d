import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { parseMessage } from '../../protocol/parse.js';
import { renderMessage } from '../../protocol/render.js';
import { ALL, DECISIONS, MESSAGE_TYPES, PRIORITIES, messageSchema } from '../../protocol/schema.js';
import type { Message } from '../../protocol/schema.js';
import { loadConfig, resolveWorkspaceDir } from '../../workspace/config.js';
import { deliver, deliveryName } from '../../mailbox/folder/index.js';
import { describeParseError } from '../../mailbox/folder/index.js';
import { WorkspacePaths, segmentProblem } from '../../workspace/paths.js';
import { contentProblem } from '../../workspace/message-rules.js';
import { checkAddresses, resolveMember } from '../../workspace/team.js';
import { say, sayJson } from '../output.js';

interface SendFlags {
  from?: string;
  to?: string[];
  type?: string;
  priority: string;
  task?: string;
  id?: string;
  replyTo?: string;
  decision?: string;
  action?: string;
  body?: string;
  file?: string;
  workspace?: string;
  json?: boolean;
  fsync: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

const FLAG_OF: Partial<Record<keyof Message, string>> = { replyTo: 'reply-to' };

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function readBody(flags: SendFlags): Promise<string> {
  if (flags.body !== undefined && flags.file !== undefined) throw new UserError('give the body once: --body TEXT or --file PATH, not both');
  if (flags.body !== undefined) return flags.body;
  if (flags.file !== undefined) {
    const st = await fs.stat(flags.file).catch(() => undefined);
    if (!st) throw new UserError(`--file ${flags.file}: no such file`);
    if (!st.isFile()) throw new UserError(`--file ${flags.file}: not a regular file`);
    return fs.readFile(flags.file, 'utf8');
  }
  if (process.stdin.isTTY) throw new UserError('no body: pass --body TEXT, --file PATH, or pipe it on stdin');
  return readStdin();
}

/** Checks the names the user typed before anything else, so no path is ever built from them. */
function checkNames(flags: SendFlags): void {
  const named: [string, string | undefined, string][] = [
    ['--from', flags.from, 'a member name'],
    ...(flags.to ?? []).map((t): [string, string, string] => ['--to', t, 'a member name or ALL']),
    ['--task', flags.task, 'a task id'],
    ['--id', flags.id, 'a message id'],
    ['--reply-to', flags.replyTo, 'a message id'],
  ];
  for (const [flag, value, expected] of named) {
    if (value === undefined || (flag === '--to' && value.toUpperCase() === ALL)) continue;
    // Ids may hold ':' (the schema checks them); the rest become path segments somewhere.
    const problem = flag === '--id' || flag === '--reply-to' ? (/[\\/]|\.\./.test(value) ? `"${value}" contains a path separator or ".."` : undefined) : segmentProblem(value);
    if (problem) throw new UserError(`${flag} ${problem}; expected ${expected}`);
  }
}

/** The message the flags describe, validated, or a UserError naming the flag. */
function buildMessage(flags: SendFlags, body: string): Message {
  if (flags.from === undefined) throw new UserError('--from NAME is required: the member sending the message');
  if (!flags.to?.length) throw new UserError('--to NAME is required (repeat it or give a comma list; ALL for everyone)');
  if (flags.type === undefined) throw new UserError(`--type is required: one of ${MESSAGE_TYPES.join(', ')}`);
  const raw = {
    priority: flags.priority.toUpperCase(),
    type: flags.type.toUpperCase().replace(/[\s-]+/g, '_'),
    to: flags.to.map((t) => (t.toUpperCase() === ALL ? ALL : t.toLowerCase())),
    from: flags.from.toLowerCase(),
    task: flags.task,
    id: flags.id,
    replyTo: flags.replyTo,
    decision: flags.decision?.toUpperCase(),
    body,
    action: flags.action,
  };
  const oneOf = (flag: string, value: string | undefined, allowed: readonly string[]): void => {
    if (value !== undefined && !allowed.includes(value)) throw new UserError(`${flag} "${value}": expected one of ${allowed.join(', ')}`);
  };
  oneOf('--type', raw.type, MESSAGE_TYPES);
  oneOf('--priority', raw.priority, PRIORITIES);
  oneOf('--decision', raw.decision, DECISIONS);
  const problem = contentProblem({ type: raw.type as Message['type'], body });
  if (problem) throw new UserError(`${problem}; give it with --body, --file or stdin`);
  const parsed = messageSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? 'body') as keyof Message;
    const flag = `--${FLAG_OF[field] ?? field}`;
    const given = raw[field];
    throw new UserError(`${flag}${typeof given === 'string' ? ` "${given}"` : ''}: expected ${issue?.message ?? 'a valid value'}`);
  }
  return parsed.data;
}

/** Registers `teamstate send`: validate a message, then deliver it into each recipient's inbox. */
export function registerSend(program: Command): void {
  program
    .command('send')
    .description("write a message into other members' inboxes (validated first; tmp/ then rename into new/)")
    .option('--from <name>', 'the sending member (or an alias)')
    .option('--to <names>', 'recipient(s): repeat the flag or give a comma list; ALL for every member but the sender', collect)
    .option('--type <type>', `message type: ${MESSAGE_TYPES.join(' ')}`)
    .option('--priority <priority>', `priority: ${PRIORITIES.join(' ')}`, 'MEDIUM')
    .option('--task <id>', 'task id the message belongs to')
    .option('--id <id>', 'message id (a repeated send with the same id replaces the undelivered copy)')
    .option('--reply-to <id>', 'id of the message this answers')
    .option('--decision <decision>', `decision on a plan: ${DECISIONS.join(' ')}`)
    .option('--action <text>', 'the [ACTION NEEDED: …] line')
    .option('--body <text>', 'the body (else --file, else stdin)')
    .option('--file <path>', 'read the body from this file')
    .option('--workspace <dir>', 'workspace folder (default: . when ./teamstate.json exists, else ./workspace)')
    .option('--json', 'print the deliveries as JSON')
    .option('--no-fsync', 'skip fsync (throwaway demos only)')
    .action(async (flags: SendFlags) => {
      checkNames(flags);
      const root = resolveWorkspaceDir(flags.workspace);
      const config = await loadConfig(root);
      const message = buildMessage(flags, await readBody(flags));
      const addresses = checkAddresses(message, config);
      if (!addresses.ok) throw new UserError(addresses.error);
      // Written exactly: members' own names (ALL stays, so recipients see it was a broadcast).
      const to = [...new Set(message.to.map((t) => (t === ALL ? ALL : (resolveMember(t, config) ?? t))))];
      const outgoing: Message = { ...message, from: addresses.value.from, to };
      const text = renderMessage(outgoing);
      const size = Buffer.byteLength(text);
      if (size > config.limits.maxMessageBytes) throw new UserError(`the message is ${size} bytes, over limits.maxMessageBytes (${config.limits.maxMessageBytes}); shorten the body`);
      // What the recipient's engine will read must be what we meant to send.
      const back = parseMessage(text, { aliases: config.aliases });
      if (!back.ok) throw new UserError(`the message would not read back: ${describeParseError(back.error)}`);
      const paths = new WorkspacePaths(root);
      const key = flags.id !== undefined ? `id:${flags.id}` : `send:${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
      const results: { recipient: string; status: 'delivered' | 'already-delivered'; file: string }[] = [];
      for (const recipient of addresses.value.recipients) {
        const status = await deliver(paths, recipient, outgoing, key, { fsync: config.fsync && flags.fsync });
        results.push({ recipient, status, file: path.join(paths.inbox(recipient)[status === 'delivered' ? 'new' : 'cur'], deliveryName(key, recipient, outgoing.from)) });
      }
      if (flags.json) {
        sayJson({ from: addresses.value.from, type: outgoing.type, key, deliveries: results });
        return;
      }
      for (const r of results) {
        say(r.status === 'delivered' ? `delivered ${outgoing.type} to ${r.recipient}: ${path.relative(process.cwd(), r.file)}\n` : `skipped ${r.recipient}: already delivered (${path.relative(process.cwd(), r.file)})\n`);
      }
    });
}
