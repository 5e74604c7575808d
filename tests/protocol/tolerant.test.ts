import { describe, expect, it } from 'vitest';
import type { Message, ParseOptions } from '../../src/protocol/index.js';
import { parseMessage } from '../../src/protocol/index.js';

const plain = '[PRIORITY: HIGH]\n[TYPE: BUG]\n[TO: backend-engineer]\n\n## BUG-1: crash\n- What: it crashes\n\n[ACTION NEEDED: Fix this.]\n';
const expected: Message = { priority: 'HIGH', type: 'BUG', to: ['backend-engineer'], body: '## BUG-1: crash\n- What: it crashes', action: 'Fix this.' };

function read(text: string | Uint8Array, opts?: ParseOptions): Message {
  const r = parseMessage(text, opts);
  if (!r.ok) throw new Error(`expected a message, got: ${r.error.message}`);
  return r.value;
}

describe('tolerant reading of the text form', () => {
  it.each<[string, string]>([
    ['header keys and values in any case', '[priority: High]\n[Type: bug]\n[to: Backend-Engineer]\n\n## BUG-1: crash\n- What: it crashes\n\n[action needed: Fix this.]\n'],
    ['CRLF line ends', plain.replace(/\n/g, '\r\n')],
    ['a UTF-8 BOM', `\uFEFF${plain}`],
    ['blank lines before, between and after', `\n\n  \n[PRIORITY: HIGH]\n\n[TYPE: BUG]\n[TO: backend-engineer]\n\n\n\n## BUG-1: crash\n- What: it crashes\n\n\n\n[ACTION NEEDED: Fix this.]\n\n\n`],
    ['spaces around and inside the brackets', '  [ PRIORITY :  HIGH ]  \n[TYPE:BUG]\n\t[TO:   backend-engineer ]\n\n## BUG-1: crash\n- What: it crashes\n\n  [ ACTION NEEDED :  Fix this. ]  \n'],
    ['a code fence with a language', '```markdown\n' + plain + '```\n'],
    ['a code fence without a language, indented text around it', '\n```\n' + plain + '```\n\n'],
    ['a tilde fence', '~~~text\n' + plain + '~~~'],
    ['no blank line before the action', '[PRIORITY: HIGH]\n[TYPE: BUG]\n[TO: backend-engineer]\n\n## BUG-1: crash\n- What: it crashes\n[ACTION NEEDED: Fix this.]'],
    ['an action missing its closing bracket on the last line', '[PRIORITY: HIGH]\n[TYPE: BUG]\n[TO: backend-engineer]\n\n## BUG-1: crash\n- What: it crashes\n\n[ACTION NEEDED: Fix this.'],
    ['no final newline', plain.trimEnd()],
    ['headers in another order', '[TO: backend-engineer]\n[TYPE: BUG]\n[PRIORITY: HIGH]\n\n## BUG-1: crash\n- What: it crashes\n\n[ACTION NEEDED: Fix this.]'],
    ['the type spelled with a space', '[PRIORITY: HIGH]\n[TYPE: Bug]\n[TO: backend-engineer]\n\n## BUG-1: crash\n- What: it crashes\n\n[ACTION NEEDED: Fix this.]'],
  ])('accepts %s', (_name, text) => {
    expect(read(text)).toEqual(expected);
  });

  it('accepts bytes as well as a string', () => {
    expect(read(new TextEncoder().encode(plain))).toEqual(expected);
  });

  it('accepts UTF-16 text with its BOM (Windows "Unicode")', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(plain, 'utf16le')]);
    expect(read(bytes)).toEqual(expected);
  });

  it('reads BUG-FIX, bug fix and BugFix as BUG_FIX', () => {
    for (const t of ['BUG-FIX', 'bug fix', 'BugFix', 'bug_fix']) {
      expect(read(`[PRIORITY: LOW]\n[TYPE: ${t}]\n[TO: sentinel]\n\nfixed`).type).toBe('BUG_FIX');
    }
  });

  it('reads several recipients, lower-cased, without duplicates', () => {
    expect(read('[PRIORITY: LOW]\n[TYPE: HANDOFF]\n[TO: Sentinel, BREAKER;sentinel]\n\nx').to).toEqual(['sentinel', 'breaker']);
  });

  it('keeps ALL in any case as ALL', () => {
    expect(read('[PRIORITY: LOW]\n[TYPE: PASS]\n[TO: all]\n\nx').to).toEqual(['ALL']);
    expect(read('[PRIORITY: LOW]\n[TYPE: PASS]\n[TO: All]\n\nx').to).toEqual(['ALL']);
  });

  it('resolves role aliases in TO and FROM, case-insensitively', () => {
    const m = read('[PRIORITY: MEDIUM]\n[TYPE: HANDOFF]\n[TO: Builder, sentinel]\n[FROM: Scout]\n\nx', { aliases: { builder: 'backend-engineer', SCOUT: 'analyst' } });
    expect(m.to).toEqual(['backend-engineer', 'sentinel']);
    expect(m.from).toBe('analyst');
  });

  it('collapses a recipient named twice through an alias', () => {
    expect(read('[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: builder, backend-engineer]\n\nx', { aliases: { builder: 'backend-engineer' } }).to).toEqual(['backend-engineer']);
  });

  it('takes the sender from a file name <sender>--<rest> when FROM is absent, through aliases', () => {
    expect(read(plain, { fileName: 'inboxes/backend-engineer/new/Breaker--bug-1.md' }).from).toBe('breaker');
    expect(read(plain, { fileName: 'builder--x.md', aliases: { builder: 'backend-engineer' } }).from).toBe('backend-engineer');
  });

  it('prefers the FROM header to the file name', () => {
    expect(read('[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: a]\n[FROM: sentinel]\n\nx', { fileName: 'breaker--1.md' }).from).toBe('sentinel');
  });

  it('leaves the sender unset for a file name without a sender', () => {
    expect(read(plain, { fileName: 'message-17.md' }).from).toBeUndefined();
  });

  it('reads several headers on one line', () => {
    const m = read('[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: a]\n[ID: m-2]  [REPLY-TO: m-1]\n\nx');
    expect(m).toMatchObject({ id: 'm-2', replyTo: 'm-1' });
  });

  it('reads REPLY_TO and ReplyTo as REPLY-TO', () => {
    expect(read('[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: a]\n[reply_to: m-1]\n\nx').replyTo).toBe('m-1');
    expect(read('[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: a]\n[ReplyTo: m-1]\n\nx').replyTo).toBe('m-1');
  });

  it('keeps header-looking lines of the body as body', () => {
    const body = '[TO: sentinel]\n### LANDMINES\n- [LANDMINE] app/db.py:10 opens a second pool\n[PRIORITY: CRITICAL]';
    const m = read(`[PRIORITY: MEDIUM]\n[TYPE: HANDOFF]\n[TO: backend-engineer]\n\n${body}\n\n[ACTION NEEDED: Watch the LANDMINES section.]`);
    expect(m.body).toBe(body);
    expect(m.to).toEqual(['backend-engineer']);
    expect(m.priority).toBe('MEDIUM');
  });

  it('ends the headers at a non-header line even without a blank line', () => {
    expect(read('[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: a]\n[Structured content — compressed]\nmore').body).toBe('[Structured content — compressed]\nmore');
  });

  it('keeps the inner text of the body exactly, trimming only blank lines at its ends', () => {
    const body = '  indented first\n\n\ttab line   \n```\ncode\n```';
    expect(read(`[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: a]\n\n\n${body}\n\n\n`).body).toBe(body);
  });

  it('reads an action spanning several lines', () => {
    expect(read('[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: a]\n\nbody\n\n[ACTION NEEDED: first,\nthen second]').action).toBe('first,\nthen second');
  });

  it('takes only the last action line as the action', () => {
    const m = read('[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: a]\n\n[ACTION NEEDED: quoted in the body]\n\n[ACTION NEEDED: the real one]');
    expect(m.body).toBe('[ACTION NEEDED: quoted in the body]');
    expect(m.action).toBe('the real one');
  });

  it('reads a message with no body, only an action', () => {
    expect(read('[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: a]\n[ACTION NEEDED: ping]')).toEqual({ priority: 'LOW', type: 'STATUS', to: ['a'], body: '', action: 'ping' });
  });

  it('accepts every type of the whole team', () => {
    for (const t of ['PLAN', 'STATUS', 'HANDOFF', 'BUG_FIX', 'REQUEST', 'REPORT', 'WARNING', 'BUG', 'CLEAR', 'PASS', 'FAIL', 'META']) {
      expect(read(`[PRIORITY: LOW]\n[TYPE: ${t}]\n[TO: a]\n\nx`).type).toBe(t);
    }
  });
});

describe('extension headers left empty', () => {
  it('reads them as absent', () => {
    const m = read('[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: a]\n[FROM: ]\n[TASK:]\n[REPLY-TO:  ]\n\nx');
    expect(m).toEqual({ priority: 'LOW', type: 'STATUS', to: ['a'], body: 'x' });
  });
});
