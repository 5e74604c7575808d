import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/protocol/schema.js';
import { configSchema } from '../../src/workspace/config-schema.js';
import { checkAddresses, resolveMember } from '../../src/workspace/team.js';

const config = configSchema.parse({
  members: ['analyst', 'conductor', 'backend-engineer', 'breaker'],
  engine: { member: 'backend-engineer' },
  aliases: { builder: 'backend-engineer' },
});
const msg = (m: Partial<Message>): Message => ({ priority: 'HIGH', type: 'STATUS', to: ['conductor'], body: 'x', ...m });

describe('checkAddresses', () => {
  it('resolves aliases and drops duplicates', () => {
    expect(checkAddresses(msg({ from: 'breaker', to: ['builder', 'backend-engineer', 'conductor'] }), config)).toEqual({
      ok: true,
      value: { from: 'breaker', recipients: ['backend-engineer', 'conductor'] },
    });
    expect(resolveMember('Builder', config)).toBe('backend-engineer');
  });

  it('sends ALL to every member but the sender', () => {
    const r = checkAddresses(msg({ from: 'builder', to: ['ALL'] }), config);
    expect(r).toEqual({ ok: true, value: { from: 'backend-engineer', recipients: ['analyst', 'conductor', 'breaker'] } });
  });

  it('takes the sender from the options when the message has no FROM', () => {
    expect(checkAddresses(msg({}), config, { sender: 'analyst' })).toMatchObject({ ok: true, value: { from: 'analyst' } });
  });

  it('refuses an unknown sender, naming the members', () => {
    expect(checkAddresses(msg({ from: 'mallory' }), config)).toEqual({
      ok: false,
      error: 'unknown sender "mallory"; members are analyst, conductor, backend-engineer, breaker (aliases: builder → backend-engineer)',
    });
  });

  it('refuses an unknown recipient instead of making a new inbox', () => {
    expect(checkAddresses(msg({ from: 'analyst', to: ['conductor', 'nobody'] }), config)).toMatchObject({ ok: false, error: expect.stringMatching(/^unknown recipient "nobody"; members are/) });
  });

  it('refuses a message with no sender at all', () => {
    expect(checkAddresses(msg({}), config)).toMatchObject({ ok: false, error: expect.stringMatching(/^no sender: add a \[FROM: name\] header/) });
  });
});
