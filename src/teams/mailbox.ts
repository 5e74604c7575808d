import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RunState } from '../engine/run-state.js';
import type { Message } from '../protocol/schema.js';
import { watch as watchFiles } from 'chokidar';
import type { Delivery, Inbound, Mailbox, Watch } from '../mailbox/port.js';
import { writeFileAtomic } from '../workspace/atomic.js';
import type { Config } from '../workspace/config-schema.js';
import type { WorkspacePaths } from '../workspace/paths.js';
import { Assignments } from './assignments.js';
import type { Held } from './held.js';
import { decide } from './inbound.js';
import { entryKey, inboxEntrySchema, readInboxFile, updateInboxFile } from './inbox-file.js';
import type { SeatPaths, TeamPaths } from './paths.js';
import type { ShutdownRequest } from './protocol.js';
import { ReadMarker } from './read-marker.js';
import { safe, TeamReplies } from './replies.js';
import type { Roster } from './roster.js';

/** Who this teammate is in the team (from the spawn argv). */
export interface Seat {
  /** Its agent name: the name of its inbox file and the `from` of what it writes. */
  name: string;
  team: string;
  color?: string;
  planModeRequired: boolean;
}

export interface TeamMailboxOptions {
  paths: WorkspacePaths;
  config: Config;
  team: TeamPaths;
  seatPaths: SeatPaths;
  seat: Seat;
  roster: Roster;
  /** A run's state, when the engine has it (for the idle notification that ends a run). */
  runState?: (runId: string) => RunState | undefined;
  warn?: (line: string) => void;
  /** The lead asked to shut down; entries after it are left alone. */
  onShutdown?: (request: ShutdownRequest) => void;
  /** The lead's spawn prompt was taken. */
  onSpawnPrompt?: (text: string) => void;
  /** For shutdown_approved. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** One entry in hand: what it was in the file, and its identity. */
interface Taken {
  raw: unknown;
  key: string;
  name: string;
}

/**
 * The engine's mailbox as a teammate of a Claude Code agent team (DESIGN §6): it claims
 * the entries of `<home>/teams/<team>/inboxes/<name>.json` and delivers by appending to
 * the members' inbox files. An entry is marked read in Claude Code's file only after the
 * engine has journaled it (ack) or it is kept aside with its reason (reject); a copy of
 * each goes to the workspace's `inboxes/<member>/cur/` or `rejected/`, which is also how
 * an entry delivered again is recognised. Replies are appended exactly once (replies.ts).
 */
export class TeamMailbox implements Mailbox {
  readonly inboxFile: string;
  private readonly taken = new Map<string, Taken>();
  private readonly marker: ReadMarker;
  /** What this teammate writes to the team: replies, held ones, protocol entries (replies.ts). */
  private readonly replies: TeamReplies;
  readonly held: Held;
  private readonly assignments: Assignments;
  private shutdown?: { taken: Taken; request: ShutdownRequest };
  private warnedRead = '';

  constructor(private readonly o: TeamMailboxOptions) {
    this.inboxFile = o.team.inbox(o.seat.name);
    const onCompromised = (e: Error) => this.warn(`lost the lock on an inbox mid-write: ${e.message}`);
    this.marker = new ReadMarker(this.inboxFile, { fsync: o.config.fsync, onCompromised });
    this.replies = new TeamReplies(o, onCompromised);
    this.held = this.replies.held;
    this.assignments = new Assignments(o.seatPaths.assignments, o.paths, o.config.fsync);
  }

  private warn(line: string): void {
    this.o.warn?.(line);
  }

  private get folder() {
    return this.o.paths.inbox(this.o.config.engine.member);
  }

  async claim(max = Number.POSITIVE_INFINITY): Promise<Inbound[]> {
    const inHand = (name: string) => this.taken.has(name);
    if (this.shutdown) return [];
    if (await this.o.roster.refresh()) await this.releaseHeld();
    let read = await readInboxFile(this.inboxFile);
    // Claude Code rewrites the file in place, under its lock: a read can catch it half-written, one under the lock can't.
    if (!read.ok) read = await updateInboxFile(this.inboxFile, (entries) => ({ result: { ok: true as const, entries } })).catch((e: Error) => ({ ok: false as const, reason: e.message }));
    if (!read.ok) {
      if (read.reason !== this.warnedRead) this.warn(`${read.reason}; reading it again shortly`);
      this.warnedRead = read.reason;
      return [];
    }
    this.warnedRead = '';
    const out: Inbound[] = [];
    const already = new Set<string>();
    const thisPass = new Set<string>();
    let leadSeen = false;
    for (const raw of read.entries) {
      if (out.length >= max) break;
      const entry = inboxEntrySchema.safeParse(raw);
      const leadBefore = leadSeen;
      if (entry.success && entry.data.from === this.o.roster.lead) leadSeen = true;
      if (entry.success && entry.data.read === true) continue;
      const key = entryKey(raw);
      const name = archiveName(entry.success ? entry.data.from : 'unknown', key);
      // Another copy of an entry in hand or seen in this pass: its ack marks every copy read.
      if (inHand(name) || thisPass.has(name)) continue;
      thisPass.add(name);
      if (await this.archived(name)) {
        already.add(key);
        continue;
      }
      const taken: Taken = { raw, key, name };
      const label = `${this.inboxFile} (${entry.success ? `${entry.data.from} at ${entry.data.timestamp}` : 'a malformed entry'})`;
      if (!entry.success) {
        this.taken.set(name, taken);
        out.push({ ref: name, origin: label, ok: false, reason: `not a Claude Code inbox entry (${entry.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')})` });
        continue;
      }
      const d = decide(entry.data, key, { config: this.o.config, roster: this.o.roster, leadBefore });
      if (d.kind === 'shutdown') {
        this.shutdown = { taken, request: d.request };
        const fire = this.o.onShutdown;
        if (fire) setImmediate(() => fire(d.request));
        break;
      }
      if (d.kind === 'task') {
        await this.assignments.assign(d.assignment, key, this.o.config.engine.member);
        await this.done(taken, 'cur');
        continue;
      }
      if (d.kind === 'spawn-prompt') {
        await fs.mkdir(this.o.seatPaths.dir, { recursive: true });
        await writeFileAtomic(this.o.seatPaths.spawnPrompt, d.text, { fsync: this.o.config.fsync });
        await this.done(taken, 'cur');
        this.o.onSpawnPrompt?.(d.text);
        continue;
      }
      this.taken.set(name, taken);
      if (d.kind === 'reject') {
        out.push({ ref: name, origin: label, ok: false, reason: d.reason });
        continue;
      }
      let message = d.message;
      if (message.type === 'HANDOFF' && message.task === undefined) {
        const task = await this.assignments.taskFor(d.key);
        if (task !== undefined) message = { ...message, task };
      }
      out.push({ ref: name, origin: label, ok: true, message, from: d.from, key: d.key });
    }
    if (already.size > 0) await this.marker.mark(already).catch((e: Error) => this.warn(`could not mark entries read in ${this.inboxFile}: ${e.message}`));
    return out;
  }

  async ack(ref: string): Promise<void> {
    const t = this.taken.get(ref);
    if (t) await this.done(t, 'cur');
  }

  async reject(ref: string, reason: string): Promise<void> {
    const t = this.taken.get(ref);
    if (t) await this.done(t, 'rejected', reason);
  }

  release(ref: string): void {
    this.taken.delete(ref);
  }

  /** The entry's text: from the claim in hand, the workspace's copy, or Claude Code's file. */
  async original(ref: string): Promise<string | undefined> {
    const text = (raw: unknown) => (raw && typeof raw === 'object' && typeof (raw as { text?: unknown }).text === 'string' ? (raw as { text: string }).text : JSON.stringify(raw));
    const held = this.taken.get(ref);
    if (held) return text(held.raw);
    for (const dir of [this.folder.cur, this.folder.rejected]) {
      const copy = await fs.readFile(path.join(dir, path.basename(ref)), 'utf8').catch(() => undefined);
      if (copy !== undefined) return text(JSON.parse(copy));
    }
    const read = await readInboxFile(this.inboxFile);
    const raw = read.ok ? read.entries.find((e) => archiveName(inboxEntrySchema.safeParse(e).data?.from ?? 'unknown', entryKey(e)) === ref) : undefined;
    return raw === undefined ? undefined : text(raw);
  }

  /** Wakes on changes to our inbox file and to the team's config (a member joining releases held replies). */
  watch(wake: () => void, onError?: (message: string) => void): Watch {
    const w = watchFiles([this.inboxFile, this.o.team.configFile], { ignoreInitial: true });
    w.on('add', wake).on('change', wake).on('error', (e) => onError?.(`watcher: ${String(e)}`));
    return { close: () => w.close() };
  }

  /** Keeps a copy in the workspace (the record that it was taken), then marks it read in Claude Code's file. */
  private async done(t: Taken, where: 'cur' | 'rejected', reason?: string): Promise<void> {
    const dir = this.folder[where];
    await fs.mkdir(dir, { recursive: true });
    if (reason !== undefined) {
      const text = `${reason}\n\nFrom Claude Code's inbox ${this.inboxFile}. Nothing was done with it; to retry, send it again in the team's format.\n`;
      await writeFileAtomic(path.join(dir, `${t.name}.reason.txt`), text, { fsync: this.o.config.fsync });
    }
    await writeFileAtomic(path.join(dir, t.name), `${JSON.stringify(t.raw, null, 2)}\n`, { fsync: this.o.config.fsync });
    await this.marker.mark([t.key]);
    this.taken.delete(t.name);
  }

  private async archived(name: string): Promise<boolean> {
    for (const dir of [this.folder.cur, this.folder.rejected]) {
      if (await fs.lstat(path.join(dir, name)).then(() => true, () => false)) return true;
    }
    return false;
  }

  /** Appends a reply to the inbox file of the team member who plays `recipient`, once per key (replies.ts). */
  deliver(recipient: string, message: Message, key: string): Promise<Delivery> {
    return this.replies.deliver(recipient, message, key);
  }

  /** Sends what was held for members who are now on the team. */
  releaseHeld(): Promise<void> {
    return this.replies.releaseHeld();
  }

  /**
   * Answers the lead's shutdown_request once (shutdown_approved, with the pane id from
   * TMUX_PANE and the backend type), then marks the request read. Call it after the
   * engine has stopped: the message in hand is finished first.
   */
  async approveShutdown(): Promise<void> {
    const s = this.shutdown;
    if (!s) return;
    await this.replies.approveShutdown(s.request);
    await this.done(s.taken, 'cur');
  }
}

/** The copy's file name in the workspace inbox: the sender, then the entry's identity. */
export function archiveName(from: string, key: string): string {
  return `${safe(from.toLowerCase()) || 'unknown'}--cc-${key.slice(0, 24)}.json`;
}
