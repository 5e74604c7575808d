import { describe, expect, it } from 'vitest';
import type { ParseError, ParseOptions } from '../../src/protocol/index.js';
import { MESSAGE_TYPES, memberNameSchema, parseMessage } from '../../src/protocol/index.js';

function failure(text: string | Uint8Array, opts?: ParseOptions): ParseError {
  const r = parseMessage(text, opts);
  if (r.ok) throw new Error(`expected an error, got a message: ${JSON.stringify(r.value)}`);
  expect(r.error.message).not.toMatch(/\n/);
  return r.error;
}

describe('messages that cannot be read say why, on one line', () => {
  it('names every known type when the type is unknown', () => {
    const e = failure('[PRIORITY: HIGH]\n[TYPE: BUGG]\n[TO: builder]\n\nx');
    expect(e.line).toBe(2);
    expect(e.message).toBe(`line 2: [TYPE: BUGG] is not a known type; expected one of ${MESSAGE_TYPES.join(', ')}`);
  });

  it('says the priority is missing', () => {
    const e = failure('[TYPE: BUG]\n[TO: builder]\n\nx');
    expect(e.message).toMatch(/\[PRIORITY: LOW\|MEDIUM\|HIGH\|CRITICAL\] header is missing/);
  });

  it('says the type is missing', () => {
    expect(failure('[PRIORITY: LOW]\n[TO: builder]\n\nx').message).toMatch(/\[TYPE: .*\] header is missing/);
  });

  it('says the recipient is missing', () => {
    expect(failure('[PRIORITY: LOW]\n[TYPE: STATUS]\n\nx').message).toMatch(/\[TO: .*\] header is missing/);
  });

  it('names the known header keys for an unknown one at the top', () => {
    const e = failure('[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: a]\n[URGENCY: now]\n\nx');
    expect(e.line).toBe(4);
    expect(e.message).toContain('[URGENCY: now] is not a known header');
    expect(e.message).toContain('PRIORITY, TYPE, TO, FROM, TASK, ID, REPLY-TO, DECISION');
  });

  it('names the known priorities for an unknown one', () => {
    expect(failure('[PRIORITY: URGENT]\n[TYPE: STATUS]\n[TO: a]\n\nx').message).toBe('line 1: [PRIORITY: URGENT] is not a known priority; expected one of LOW, MEDIUM, HIGH, CRITICAL');
  });

  it('refuses the template written literally', () => {
    expect(failure('[PRIORITY: LOW|MEDIUM|HIGH|CRITICAL]\n[TYPE: STATUS]\n[TO: a]\n\nx').line).toBe(1);
  });

  it('refuses a header given twice, naming both lines', () => {
    expect(failure('[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: a]\n[TO: b]\n\nx').message).toBe('line 4: [TO: …] appears twice (also on line 3); keep one');
  });

  it('refuses a recipient that is not a member name', () => {
    expect(failure('[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: a, b/c]\n\nx').message).toMatch(/^line 3: .*"b\/c" is not a member name/);
  });

  it('refuses an empty recipient list', () => {
    expect(failure('[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: , ]\n\nx').message).toMatch(/names no recipient/);
  });

  it('refuses a task id with characters an id cannot hold, on its line', () => {
    const e = failure('[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: a]\n[TASK: 12 and 13]\n\nx');
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/^line 4: \[TASK\] "12 and 13" is not valid: expected a task id/);
  });

  it('refuses an unknown decision', () => {
    expect(failure('[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: a]\n[DECISION: MAYBE]\n\nx').message).toBe('line 4: [DECISION: MAYBE] is not a decision; expected APPROVED or REJECTED');
  });

  it('refuses text that does not begin with headers', () => {
    expect(failure('Hello builder, please fix the bug.').message).toBe('line 1: expected the message to begin with [PRIORITY: …], [TYPE: …], [TO: …]; found "Hello builder, please fix the bug."');
  });

  it('refuses an empty file', () => {
    expect(failure('').message).toMatch(/the message is empty/);
    expect(failure(' \r\n\n').message).toMatch(/the message is empty/);
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(failure(new Uint8Array([0x5b, 0xff, 0xfe, 0x80])).expected).toBe('UTF-8 text');
  });

  it('refuses a code fence that is never closed (a half-written file)', () => {
    expect(failure('```\n[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: a]\n\nx').message).toBe('line 1: the code fence opened here is never closed; add a closing ``` line or remove the fence');
  });

  it('counts lines of the original file inside a code fence', () => {
    expect(failure('\n```md\n[PRIORITY: LOW]\n[TYPE: NOPE]\n[TO: a]\n```').line).toBe(4);
  });

  it('gives the line of a JSON syntax error', () => {
    const e = failure('{\n  "priority": "LOW",\n  "type": "STATUS"\n  "to": "a"\n}');
    expect(e.line).toBe(4);
    expect(e.message).toBe('line 4: the JSON is not valid: a "," was expected; fix the JSON or use the text format');
  });

  it('gives the line of an unclosed JSON string', () => {
    expect(failure('{\n"priority": "LOW",\n"body": "never closed\n}').line).toBe(3);
  });

  it('refuses a JSON array, one message per file', () => {
    expect(failure('[{"priority": "LOW"}]').message).toMatch(/one message per file/);
  });

  it('names the known types for an unknown JSON type, at its line', () => {
    const e = failure('{\n"priority": "LOW",\n"type": "bugg",\n"to": "a"}');
    expect(e.line).toBe(3);
    expect(e.message).toContain('is not a known type; expected one of PLAN, STATUS');
  });

  it('says which JSON field is missing', () => {
    expect(failure('{"type": "BUG", "to": "a"}').message).toMatch(/no "priority"/);
    expect(failure('{"priority": "LOW", "to": "a"}').message).toMatch(/no "type"/);
    expect(failure('{"priority": "LOW", "type": "BUG"}').message).toMatch(/no "to"/);
  });

  it('refuses JSON fields of the wrong kind', () => {
    expect(failure('{"priority": "LOW", "type": "BUG", "to": 7}').message).toMatch(/"to" must be a name or a list of names/);
    expect(failure('{"priority": "LOW", "type": "BUG", "to": "a", "body": {"x": 1}}').message).toMatch(/"body" must be a string/);
  });

  it('keeps a quoted value with a newline on one line', () => {
    const e = failure('{"priority": "LOW", "type": "BUG", "to": "a", "task": "x\\ny"}');
    expect(e.message).toContain('"x y"');
  });
});

describe('the member name schema', () => {
  it('refuses "all" as a member name, since ALL is the broadcast', () => {
    expect(memberNameSchema.safeParse('all').success).toBe(false);
    expect(memberNameSchema.safeParse('all-hands').success).toBe(true);
  });
});

describe('header lines that are almost right', () => {
  it('points at a header line with text after the bracket', () => {
    const e = failure('[PRIORITY: HIGH] (urgent)\n[TYPE: BUG]\n[TO: a]\n\nx');
    expect(e.message).toBe('line 1: "[PRIORITY: HIGH] (urgent)" is not a header line; put each header alone in brackets, e.g. [TO: a, b]');
  });

  it('points at a broken header line among good ones', () => {
    expect(failure('[PRIORITY: HIGH]\n[TYPE: BUG]\n[TO: a, b] please\n\nx').line).toBe(3);
  });
});

describe('inputs built to be slow', () => {
  // No time limit is asserted: a quadratic regex would make these run for hours, not fail.
  const mb = 1024 * 1024;
  it.each<[string, string]>([
    ['a bracket followed by a megabyte of spaces', `[a${' '.repeat(mb)}`],
    ['a header value of a megabyte of spaces', `[PRIORITY:${' '.repeat(mb)}`],
    ['a fence line followed by a megabyte of spaces', `\`\`\`${' '.repeat(mb)}!`],
    ['a recipient of a megabyte of quotes', `[PRIORITY: LOW]\n[TYPE: BUG]\n[TO: ${"'".repeat(mb)}x]\n\nx`],
    ['a megabyte of blank lines', `[PRIORITY: LOW]\n${'\n'.repeat(mb)}[TYPE: BUG]`],
    ['a megabyte of action openers', '[PRIORITY: LOW]\n[TYPE: BUG]\n[TO: a]\n\n' + '[ACTION NEEDED: x\n'.repeat(mb / 20)],
  ])('answers %s with a short error or a message', (_name, text) => {
    const r = parseMessage(text);
    if (!r.ok) expect(r.error.message.length).toBeLessThanOrEqual(400);
  });
});
