import { describe, expect, it } from 'vitest';
import { firstLine, renderMessage } from '../../src/protocol/index.js';

describe('renderMessage', () => {
  it('writes the seed layout with only the extension headers that are set, in their order', () => {
    const text = renderMessage({
      priority: 'HIGH',
      type: 'STATUS',
      to: ['conductor', 'librarian'],
      decision: 'APPROVED',
      replyTo: 'p-1',
      from: 'backend-engineer',
      task: '9',
      body: '\n\nDone.\r\nAll green.\n\n',
      action: '  Mark it done.  ',
    });
    expect(text).toBe(
      '[PRIORITY: HIGH]\n[TYPE: STATUS]\n[TO: conductor, librarian]\n[FROM: backend-engineer]\n[TASK: 9]\n[REPLY-TO: p-1]\n[DECISION: APPROVED]\n\nDone.\nAll green.\n\n[ACTION NEEDED: Mark it done.]\n',
    );
  });

  it('writes no action block when there is no action', () => {
    expect(renderMessage({ priority: 'LOW', type: 'CLEAR', to: ['ALL'], body: 'No bugs found.' })).toBe('[PRIORITY: LOW]\n[TYPE: CLEAR]\n[TO: ALL]\n\nNo bugs found.\n');
  });

  it('writes an empty body as nothing between the headers and the action', () => {
    expect(renderMessage({ priority: 'LOW', type: 'STATUS', to: ['a'], body: '', action: 'x' })).toBe('[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: a]\n\n[ACTION NEEDED: x]\n');
  });
});

describe('firstLine', () => {
  it('gives the first non-empty line, trimmed', () => {
    expect(firstLine('\n\n   ## BUG-1: crash  \nmore')).toBe('## BUG-1: crash');
  });

  it('cuts a long line to 120 characters', () => {
    const line = firstLine('x'.repeat(300));
    expect(line).toHaveLength(120);
    expect(line.endsWith('…')).toBe(true);
  });

  it('gives an empty string for an empty body', () => {
    expect(firstLine(' \n\t\n')).toBe('');
  });
});
