import { describe, expect, it } from 'vitest';
import type { Message, MessageType } from '../../src/protocol/index.js';
import { decisionOf, parseMessage } from '../../src/protocol/index.js';

const msg = (type: MessageType, body: string, extra: Partial<Message> = {}): Message => ({ priority: 'MEDIUM', type, to: ['backend-engineer'], from: 'conductor', body, ...extra });

describe("the conductor's decision", () => {
  it.each<[string, string, boolean, string]>([
    ['APPROVED alone', 'APPROVED', true, ''],
    ['REJECTED with feedback after a colon', 'REJECTED: add an index on owner_id', false, 'add an index on owner_id'],
    ['approved in lower case, feedback on the next lines', 'approved\n\nProceed; keep the migration reversible.', true, 'Proceed; keep the migration reversible.'],
    ['a bold verdict with a dash', '**REJECTED** — split the service first', false, 'split the service first'],
    ['a heading verdict', '## APPROVED\nGo ahead.', true, 'Go ahead.'],
    ['leading blank lines and spaces', '\n\n   Rejected. Too many files.', false, 'Too many files.'],
  ])('reads %s from a STATUS', (_name, body, approved, feedback) => {
    expect(decisionOf(msg('STATUS', body))).toEqual({ approved, feedback });
  });

  it('reads a REQUEST whose body begins with the verdict', () => {
    expect(decisionOf(msg('REQUEST', 'REJECTED - needs tests'))).toEqual({ approved: false, feedback: 'needs tests' });
  });

  it('ignores a verdict in other types', () => {
    expect(decisionOf(msg('WARNING', 'APPROVED'))).toBeUndefined();
    expect(decisionOf(msg('PLAN', 'REJECTED'))).toBeUndefined();
  });

  it('does not guess from words that only begin like a verdict or come later', () => {
    expect(decisionOf(msg('STATUS', 'APPROVEDISH'))).toBeUndefined();
    expect(decisionOf(msg('STATUS', 'Looks good, APPROVED'))).toBeUndefined();
    expect(decisionOf(msg('STATUS', 'Approve it?'))).toBeUndefined();
    expect(decisionOf(msg('STATUS', ''))).toBeUndefined();
  });

  it('takes an explicit DECISION header over the body, on any type, with the body as feedback', () => {
    expect(decisionOf(msg('REPORT', 'APPROVED, but reconsider', { decision: 'REJECTED' }))).toEqual({ approved: false, feedback: 'APPROVED, but reconsider' });
    expect(decisionOf(msg('STATUS', 'ok', { decision: 'APPROVED' }))).toEqual({ approved: true, feedback: 'ok' });
  });

  it('reads the DECISION header from a message file, in any case', () => {
    const r = parseMessage('[PRIORITY: HIGH]\n[TYPE: STATUS]\n[TO: builder]\n[FROM: conductor]\n[decision: rejected]\n[reply-to: plan-1]\n\nAdd pagination.', { aliases: { builder: 'backend-engineer' } });
    expect(r.ok && decisionOf(r.value)).toEqual({ approved: false, feedback: 'Add pagination.' });
    expect(r.ok && r.value.replyTo).toBe('plan-1');
  });
});
