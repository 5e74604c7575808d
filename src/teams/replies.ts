import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Delivery } from '../mailbox/port.js';
import { renderMessage } from '../protocol/render.js';
import type { Message } from '../protocol/schema.js';
import { firstLine } from '../protocol/text.js';
import { writeFileAtomic } from '../workspace/atomic.js';
import { Held } from './held.js';
import { idleAfter } from './idle.js';
import type { InboxEntry } from './inbox-file.js';
import type { TeamMailboxOptions } from './mailbox.js';
import { Outbox } from './outbox.js';
import type { ShutdownRequest } from './protocol.js';
import { idleNotification, planApprovalRequest, shutdownApproved } from './protocol.js';
import { markTeamTask } from './task-list.js';

/**
 * What this teammate writes to the team (DESIGN §6): its replies appended to the members'
 * inbox files exactly once (Outbox), held while their recipient is not on the team (Held),
 * and the protocol entries Claude Code expects beside them (plan_approval_request,
 * idle_notification, shutdown_approved).
 */
export class TeamReplies {
  readonly held: Held;
  private readonly outbox: Outbox;
  /** Tasks marked in progress in the team's list by this process. */
  private readonly started = new Set<string>();

  constructor(
    private readonly o: TeamMailboxOptions,
    onCompromised: (e: Error) => void,
  ) {
    this.outbox = new Outbox(o.seatPaths.sentDir, { fsync: o.config.fsync, onCompromised });
    this.held = new Held(o.seatPaths.heldDir, o.config.fsync);
  }

  /**
   * Appends a reply to the inbox file of the team member who plays `recipient`, once per
   * key. A recipient not on the team is held (kept with the reason, sent when it joins),
   * never written as a new inbox file. With plan mode required, a PLAN for the lead goes
   * as a plan_approval_request; a reply that ends a piece of work is followed by an
   * idle_notification to the lead.
   */
  async deliver(recipient: string, message: Message, key: string): Promise<Delivery> {
    const { roster, seat } = this.o;
    if (await roster.refresh()) await this.releaseHeld();
    const wanted = roster.memberFor(recipient);
    const member = roster.onTeam(wanted);
    if (member === undefined) {
      const reason = roster.known
        ? `${wanted} is not on team ${seat.team} (members: ${roster.members.join(', ') || 'none'}); it is sent when ${wanted} joins`
        : `team ${seat.team} has no ${this.o.team.configFile} yet; it is sent when the team's config lists ${wanted}`;
      const fresh = await this.held.hold({ recipient, member: wanted, key, message, reason });
      if (fresh) this.o.warn?.(`held ${message.type} ${key} for ${wanted}: ${reason}`);
      return fresh ? 'delivered' : 'already-delivered';
    }
    // The team's task is in progress before anyone hears of the work (and before it can be completed).
    if (message.task !== undefined && !this.started.has(message.task)) {
      await markTeamTask(this.o.team, message.task, 'in_progress', seat.name, { fsync: this.o.config.fsync });
      this.started.add(message.task);
    }
    const inbox = this.o.team.inbox(member);
    const isLead = member === roster.lead;
    const plan = seat.planModeRequired && isLead && message.type === 'PLAN';
    const sent = await this.outbox.send(key, inbox, async (timestamp) => {
      // The TO line names team members, as the lead and its teammates know them.
      if (!plan) return this.entry(renderMessage({ ...message, to: message.to.map((r) => roster.memberFor(r)) }), summaryOf(message));
      const planFilePath = path.join(this.o.seatPaths.plansDir, `${safe(key)}.md`);
      await fs.mkdir(this.o.seatPaths.plansDir, { recursive: true });
      await writeFileAtomic(planFilePath, message.body, { fsync: this.o.config.fsync });
      return this.entry(planApprovalRequest(seat.name, timestamp, { planFilePath, planContent: message.body, requestId: message.id ?? key }));
    });
    const runId = key.replace(/\.\d+$/, '');
    const idle = idleAfter(message, recipient, this.o.runState?.(runId));
    if (idle) {
      if (idle.completedStatus === 'resolved' && idle.completedTaskId) await markTeamTask(this.o.team, idle.completedTaskId, 'completed', seat.name, { fsync: this.o.config.fsync });
      await this.outbox.send(`${key}:idle`, this.o.team.inbox(roster.lead), (timestamp) => this.entry(idleNotification(seat.name, timestamp, idle)));
    }
    return sent === 'appended' ? 'delivered' : 'already-delivered';
  }

  /** Sends what was held for members who are now on the team. */
  async releaseHeld(): Promise<void> {
    for (const h of await this.held.list()) {
      if (this.o.roster.onTeam(h.member) === undefined) continue;
      try {
        await this.deliver(h.recipient, h.message, h.key);
        await this.held.release(h);
      } catch (e) {
        this.o.warn?.(`could not send the held ${h.message.type} ${h.key} to ${h.member}: ${(e as Error).message}; will retry`);
      }
    }
  }

  /** Answers the lead's shutdown_request once: shutdown_approved, with the pane id from TMUX_PANE and the backend type. */
  async approveShutdown(request: ShutdownRequest): Promise<void> {
    const env = this.o.env ?? process.env;
    const backendType = this.o.roster.entry(this.o.seat.name)?.backendType ?? (env.TMUX ? 'tmux' : env.ITERM_SESSION_ID ? 'iterm2' : undefined);
    await this.outbox.send(`shutdown:${request.requestId}`, this.o.team.inbox(this.o.roster.lead), (timestamp) =>
      this.entry(shutdownApproved(this.o.seat.name, timestamp, request.requestId, env.TMUX_PANE, backendType)),
    );
  }

  private entry(text: string, summary?: string): Omit<InboxEntry, 'timestamp'> {
    return { from: this.o.seat.name, text, ...(summary ? { summary } : {}), ...(this.o.seat.color ? { color: this.o.seat.color } : {}) };
  }
}

/** A name made safe for a file name (letters, digits, `._-`; no leading dot; at most 60 characters). */
export const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/\.{2,}/g, '.').replace(/^[^A-Za-z0-9]+/, '').slice(0, 60);

/** A preview of a few words, as Claude Code's plain messages carry. */
function summaryOf(m: Message): string {
  const words = firstLine(m.body).replace(/^#+\s*/, '').split(/\s+/).filter(Boolean).slice(0, 8).join(' ');
  return `${m.type}: ${words}`.slice(0, 80);
}
