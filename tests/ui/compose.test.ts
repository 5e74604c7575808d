import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { checkDraft, cycle, emptyDraft } from '../../src/ui/compose.js';
import type { Draft } from '../../src/ui/compose.js';
import { editText, splitEnter } from '../../src/ui/text-edit.js';
import { configSchema } from '../../src/workspace/config-schema.js';

const config = configSchema.parse({
  members: ['analyst', 'conductor', 'backend-engineer', 'breaker', 'sentinel', 'librarian'],
  engine: { member: 'backend-engineer' },
  aliases: { builder: 'backend-engineer' },
});
const draft = (over: Partial<Draft>): Draft => ({ ...emptyDraft(config), body: 'hello', ...over });

describe('checking a draft as it is typed', () => {
  it.each<[string, Partial<Draft>, string, string]>([
    ['an unknown recipient', { to: 'ghost' }, 'to', 'unknown recipient "ghost"'],
    ['no recipient', { to: ' , ' }, 'to', 'name at least one member, or ALL'],
    ['an unknown sender', { from: 'nobody' }, 'from', 'unknown sender "nobody"'],
    ['a bad task id', { task: 'no spaces please' }, 'task', 'task: a task id'],
    ['an empty body', { body: '  ' }, 'body', 'write something'],
  ])('refuses %s', (_name, over, field, error) => {
    const r = checkDraft(draft(over), config);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe(field);
      expect(r.error).toContain(error);
    }
  });

  it.each<[string, Partial<Draft>, string[]]>([
    ['an alias', { to: 'builder' }, ['backend-engineer']],
    ['several members, any case', { to: 'Sentinel, breaker' }, ['sentinel', 'breaker']],
    ['ALL, as everyone but the sender', { to: 'all' }, ['analyst', 'backend-engineer', 'breaker', 'sentinel', 'librarian']],
  ])('accepts %s', (_name, over, recipients) => {
    const r = checkDraft(draft(over), config);
    expect(r.ok && r.recipients).toEqual(recipients);
  });

  it('turns \\n in the body into new lines', () => {
    const r = checkDraft(draft({ body: 'one\\ntwo' }), config);
    expect(r.ok && r.message.body).toBe('one\ntwo');
  });

  it('cycles through choices both ways', () => {
    expect(cycle(['LOW', 'HIGH'] as const, 'HIGH', 1)).toBe('LOW');
    expect(cycle(['LOW', 'HIGH'] as const, 'LOW', -1)).toBe('HIGH');
  });
});

const key = (over: Partial<Key> = {}): Key => ({ upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false, ...over });

describe('editing a one-line field', () => {
  it.each<[string, string, string, Partial<Key>, string | undefined]>([
    ['appends typed text', 'ab', 'c', {}, 'abc'],
    ['appends a paste, line ends as spaces', 'a', 'b\r\nc', {}, 'ab c'],
    ['removes the last character on Backspace', 'abc', '', { backspace: true }, 'ab'],
    ['removes several on several Backspaces read at once', 'abcd', '\x7f\x7f', {}, 'ab'],
    ['clears on Ctrl+U', 'abc', 'u', { ctrl: true }, ''],
    ['leaves Enter to the form', 'abc', '\r', { return: true }, undefined],
    ['leaves arrows to the form', 'abc', '', { leftArrow: true }, undefined],
    ['drops control characters', 'a', '\x07', {}, undefined],
  ])('%s', (_name, value, input, k, out) => expect(editText(value, input, key(k))).toBe(out));
});

describe('text and Enter in one read', () => {
  it.each<[string, { text: string; enter: boolean }]>([
    ['yes\r', { text: 'yes', enter: true }],
    ['yes', { text: 'yes', enter: false }],
    ['\r', { text: '\r', enter: false }],
    ['a\nb', { text: 'a', enter: true }],
  ])('splits %j', (input, out) => expect(splitEnter(input)).toEqual(out));
});
