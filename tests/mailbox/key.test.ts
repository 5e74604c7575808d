import { describe, expect, it } from 'vitest';
import { messageDigest, messageKey } from '../../src/mailbox/key.js';
import { parseMessage } from '../../src/protocol/parse.js';
import type { Message } from '../../src/protocol/schema.js';

const parsed = (text: string, fileName?: string): Message => {
  const r = parseMessage(text, fileName !== undefined ? { fileName } : {});
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

const TEXT = ['[PRIORITY: HIGH]', '[TYPE: STATUS]', '[TO: backend-engineer, sentinel]', '[FROM: conductor]', '[TASK: t1]', '[ID: c-1]', '', 'APPROVED', '', '[ACTION NEEDED: Implement the approved plan.]', ''].join('\n');

describe('the digest of a message', () => {
  it('should be the same for the same message however it is written: CRLF, a BOM, a code fence, the JSON form, its recipients in another order', () => {
    const d = messageDigest(parsed(TEXT));
    expect(messageDigest(parsed(`\uFEFF${TEXT.replace(/\n/g, '\r\n')}`))).toBe(d);
    expect(messageDigest(parsed(`\`\`\`\n${TEXT}\`\`\`\n`))).toBe(d);
    expect(messageDigest(parsed(TEXT.replace('[TO: backend-engineer, sentinel]', '[TO: sentinel, backend-engineer]')))).toBe(d);
    const json = JSON.stringify({ priority: 'HIGH', type: 'STATUS', to: ['backend-engineer', 'sentinel'], from: 'conductor', task: 't1', id: 'c-1', body: 'APPROVED', action: 'Implement the approved plan.' });
    expect(messageDigest(parsed(json))).toBe(d);
    expect(d).toMatch(/^[0-9a-f]{16}$/);
  });

  it('should differ when the message says something else: its body, type, priority, task, action, sender or recipients', () => {
    const d = messageDigest(parsed(TEXT));
    const others = [
      TEXT.replace('APPROVED', 'REJECTED: split the migration'),
      TEXT.replace('[TYPE: STATUS]', '[TYPE: REQUEST]'),
      TEXT.replace('[PRIORITY: HIGH]', '[PRIORITY: CRITICAL]'),
      TEXT.replace('[TASK: t1]', '[TASK: t2]'),
      TEXT.replace('Implement the approved plan.', 'Implement it.'),
      TEXT.replace('[FROM: conductor]', '[FROM: analyst]'),
      TEXT.replace('[TO: backend-engineer, sentinel]', '[TO: backend-engineer]'),
    ];
    for (const text of others) expect(messageDigest(parsed(text)), text).not.toBe(d);
  });

  it("should not change a message's key: an [ID:] is its key whatever the message says", () => {
    const m = parsed(TEXT);
    const edited = parsed(TEXT.replace('APPROVED', 'REJECTED: no'));
    expect(messageKey(m, new TextEncoder().encode(TEXT), 'a')).toBe('id:c-1');
    expect(messageKey(edited, new Uint8Array(), 'b')).toBe('id:c-1');
  });
});
