import fc from 'fast-check';
import type { Message } from '../../src/protocol/index.js';
import { DECISIONS, MESSAGE_TYPES, PRIORITIES } from '../../src/protocol/index.js';
import { endsWithActionBlock, isActionLine } from '../../src/protocol/text.js';

/** Member names as the schema allows them. */
export const memberName = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,20}$/).filter((n) => n !== 'all');
const idLike = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,30}$/);
const taskId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,30}$/);

/** One line of body text (no line end): anything, plus the shapes that could confuse a parser. */
const bodyLine = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ' ')) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, ' ')) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      '   ',
      '\t',
      '[TO: sentinel]',
      '[PRIORITY: CRITICAL]',
      '[LANDMINE] app/db.py:10 opens a second pool',
      '- [LANDMINE] float money',
      '```',
      '```json',
      '{',
      '}',
      '[',
      ']',
      '## BUG-1: title',
      '[ACTION NEEDED: quoted]',
      '  [ACTION NEEDED: indented',
      '\uFEFF',
      '\u00a0',
    ),
  },
);

/** A body: lines joined by LF, CRLF or a lone CR, with blank lines anywhere. */
export const anyBody = fc
  .array(fc.tuple(bodyLine, fc.constantFrom('\n', '\n', '\n', '\r\n', '\r')), { maxLength: 12 })
  .map((parts) => parts.map(([l, e]) => l + e).join(''));

/** An action: one line or several; leading/trailing space is not kept. */
const anyAction = fc.array(bodyLine, { minLength: 1, maxLength: 3 }).map((ls) => ls.join('\n'));

export const anyMessage: fc.Arbitrary<Message> = fc
  .record(
    {
      priority: fc.constantFrom(...PRIORITIES),
      type: fc.constantFrom(...MESSAGE_TYPES),
      to: fc.oneof(fc.constant<string[]>(['ALL']), fc.uniqueArray(memberName, { minLength: 1, maxLength: 4 })),
      from: memberName,
      task: taskId,
      id: idLike,
      replyTo: idLike,
      decision: fc.constantFrom(...DECISIONS),
      body: anyBody,
      action: anyAction.filter((a) => !a.split('\n').slice(1).some((l) => isActionLine(l))),
    },
    { requiredKeys: ['priority', 'type', 'to', 'body'] },
  )
  // The documented limit of the text form: with no action, a body must not end in an action block.
  .filter((m) => m.action !== undefined || !endsWithActionBlock(m.body));
