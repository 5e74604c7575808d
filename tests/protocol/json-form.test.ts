import { describe, expect, it } from 'vitest';
import type { Message, ParseOptions } from '../../src/protocol/index.js';
import { decisionOf, parseMessage } from '../../src/protocol/index.js';

function read(text: string, opts?: ParseOptions): Message {
  const r = parseMessage(text, opts);
  if (!r.ok) throw new Error(`expected a message, got: ${r.error.message}`);
  return r.value;
}

describe('the JSON form', () => {
  it('reads every field', () => {
    const m = read(JSON.stringify({ from: 'breaker', to: ['builder'], type: 'bug', priority: 'high', task: '3', body: '## BUG-1\n- x', action: 'Fix it', id: 'b-1', replyTo: 'h-1', decision: 'approved' }), { aliases: { builder: 'backend-engineer' } });
    expect(m).toEqual({ from: 'breaker', to: ['backend-engineer'], type: 'BUG', priority: 'HIGH', task: '3', body: '## BUG-1\n- x', action: 'Fix it', id: 'b-1', replyTo: 'h-1', decision: 'APPROVED' });
  });

  it('reads "to" given as one string with several names, or ALL', () => {
    expect(read('{"priority":"LOW","type":"PASS","to":"sentinel, Breaker","body":"x"}').to).toEqual(['sentinel', 'breaker']);
    expect(read('{"priority":"LOW","type":"PASS","to":"all","body":"x"}').to).toEqual(['ALL']);
  });

  it('tolerates key spellings, comments, trailing commas, a fence and a BOM', () => {
    const text = '\uFEFF```json\n{\n  // from the breaker\n  "Priority": "Low",\n  "TYPE": "clear",\n  "recipient": "ALL",\n  "reply_to": "h-1",\n  "content": "No bugs.",\n}\n```';
    expect(read(text)).toEqual({ priority: 'LOW', type: 'CLEAR', to: ['ALL'], replyTo: 'h-1', body: 'No bugs.' });
  });

  it('takes the sender from the file name when the JSON has none', () => {
    expect(read('{"priority":"LOW","type":"STATUS","to":"a","body":"x"}', { fileName: 'librarian--9.json' }).from).toBe('librarian');
  });

  it('normalises the body like the text form and lifts a trailing action line out of it', () => {
    const m = read(JSON.stringify({ priority: 'LOW', type: 'STATUS', to: 'a', body: '\r\n\r\nDone.\r\n\r\n[ACTION NEEDED: Review]\r\n' }));
    expect(m.body).toBe('Done.');
    expect(m.action).toBe('Review');
  });

  it('ignores fields it does not know (timestamps, summaries)', () => {
    expect(read('{"priority":"LOW","type":"STATUS","to":"a","body":"x","timestamp":"2026-01-01T00:00:00Z","summary":"s","read":false}').body).toBe('x');
  });

  it('reads a Claude Code inbox entry whose text is a message, with the entry\'s sender', () => {
    const entry = { from: 'analyst', text: '[PRIORITY: MEDIUM]\n[TYPE: HANDOFF]\n[TO: builder]\n\nreport', timestamp: '2026-01-01T00:00:00Z' };
    expect(read(JSON.stringify(entry), { aliases: { builder: 'backend-engineer' } })).toEqual({ priority: 'MEDIUM', type: 'HANDOFF', to: ['backend-engineer'], from: 'analyst', body: 'report' });
  });
});

describe("Claude Code's plan_approval_response", () => {
  it('means a STATUS with the decision, the feedback as body and the request as reply-to', () => {
    const m = read('{"type":"plan_approval_response","requestId":"plan-17-1","approved":false,"feedback":"Add an index on invoices.owner_id."}', { defaultTo: 'backend-engineer' });
    expect(m).toEqual({ priority: 'MEDIUM', type: 'STATUS', to: ['backend-engineer'], replyTo: 'plan-17-1', decision: 'REJECTED', body: 'Add an index on invoices.owner_id.' });
    expect(decisionOf(m)).toEqual({ approved: false, feedback: 'Add an index on invoices.owner_id.' });
  });

  it('reads an approval without feedback and keeps its sender and recipient', () => {
    const m = read('{"type":"plan_approval_response","from":"conductor","recipient":"builder","request_id":"p-1","approve":true}', { aliases: { builder: 'backend-engineer' }, defaultTo: 'x' });
    expect(m).toMatchObject({ from: 'conductor', to: ['backend-engineer'], replyTo: 'p-1', decision: 'APPROVED', body: '' });
    expect(decisionOf(m)).toEqual({ approved: true, feedback: '' });
  });

  it('is refused without a recipient when no default is given', () => {
    const r = parseMessage('{"type":"plan_approval_response","requestId":"p-1","approved":true}');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toMatch(/no "to"/);
  });

  it('is refused without "approved"', () => {
    const r = parseMessage('{"type":"plan_approval_response","requestId":"p-1"}', { defaultTo: 'a' });
    expect(!r.ok && r.error.message).toMatch(/needs "approved": true or false/);
  });

  it('is read inside a Claude Code inbox entry too', () => {
    const entry = { from: 'team-lead', text: JSON.stringify({ type: 'plan_approval_response', requestId: 'p-2', approved: true }) };
    expect(read(JSON.stringify(entry), { defaultTo: 'backend-engineer', aliases: { 'team-lead': 'conductor' } })).toMatchObject({ from: 'conductor', decision: 'APPROVED', replyTo: 'p-2' });
  });
});
